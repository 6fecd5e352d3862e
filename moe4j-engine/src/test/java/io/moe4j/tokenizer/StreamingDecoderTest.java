package io.moe4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamingDecoderTest {
    private static final String LLAMA = "🦙"; // U+1F999, four UTF-8 bytes

    @Test
    void holdsBackAnEmojiUntilItsLastTokenArrives() {
        Tokenizer tokenizer = SharedFixtures.referenceTokenizer("gpt-2");
        int[] ids = tokenizer.encode("a " + LLAMA + " b", false, false);
        assertThat(partialTokens(tokenizer, ids)).as("the emoji must be split over tokens for this test to mean anything")
                .isGreaterThanOrEqualTo(2);

        StreamingDecoder decoder = tokenizer.newStreamingDecoder();
        List<String> outputs = new ArrayList<>();
        for (int id : ids) {
            outputs.add(decoder.accept(id));
        }

        assertThat(String.join("", outputs) + decoder.flush()).isEqualTo("a " + LLAMA + " b");
        assertThat(outputs).allSatisfy(s -> assertThat(s).doesNotContain("\uFFFD"));
        assertThat(outputs).filteredOn(s -> s.contains(LLAMA)).hasSize(1);
        assertThat(outputs).as("tokens whose bytes were held back").contains("");
    }

    @Test
    void sentencePieceByteTokensAreJoinedIntoOneCharacter() {
        Tokenizer tokenizer = SharedFixtures.referenceTokenizer("llama-spm");
        int[] ids = tokenizer.encode(LLAMA, false, false);
        assertThat(partialTokens(tokenizer, ids)).as("byte tokens <0xF0> <0x9F> <0xA6> <0x99>").isEqualTo(4);

        StreamingDecoder decoder = tokenizer.newStreamingDecoder();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < ids.length; i++) {
            String out = decoder.accept(ids[i]);
            assertThat(out).doesNotContain("\uFFFD");
            text.append(out);
        }
        assertThat(text.toString()).isEqualTo(" " + LLAMA);
        assertThat(decoder.hasPendingBytes()).isFalse();
    }

    @Test
    void flushReplacesAnUnfinishedCharacter() {
        Tokenizer tokenizer = SharedFixtures.referenceTokenizer("gpt-2");
        int[] ids = tokenizer.encode("x" + LLAMA, false, false);
        StreamingDecoder decoder = tokenizer.newStreamingDecoder();

        assertThat(decoder.accept(ids[0])).isEqualTo("x");
        assertThat(decoder.accept(ids[1])).isEmpty();
        assertThat(decoder.hasPendingBytes()).isTrue();
        assertThat(decoder.flush()).isNotEmpty().matches("\uFFFD+");
        assertThat(decoder.hasPendingBytes()).isFalse();
    }

    @Test
    void incompleteTailDetection() {
        byte[] bytes = LLAMA.getBytes(StandardCharsets.UTF_8);
        for (int n = 1; n < 4; n++) {
            assertThat(Utf8.incompleteTailLength(bytes, n)).as("first %d bytes", n).isEqualTo(n);
        }
        assertThat(Utf8.incompleteTailLength(bytes, 4)).isZero();
        assertThat(Utf8.incompleteTailLength(new byte[] {'a', (byte) 0x80}, 2)).as("stray continuation byte").isZero();
        assertThat(Utf8.incompleteTailLength(new byte[] {'a', (byte) 0xC3}, 2)).isEqualTo(1);
    }

    /** How many of the ids are pieces that are not valid UTF-8 on their own. */
    private static int partialTokens(Tokenizer tokenizer, int[] ids) {
        int n = 0;
        for (int id : ids) {
            if (new String(tokenizer.tokenBytes(id), StandardCharsets.UTF_8).contains("\uFFFD")) {
                n++;
            }
        }
        return n;
    }
}
