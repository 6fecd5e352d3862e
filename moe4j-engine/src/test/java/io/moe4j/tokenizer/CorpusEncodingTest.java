package io.moe4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The validation corpus (99 Python files, each followed by {@code <|endoftext|>}) against the ids
 * llama.cpp's tokenizer produced for it with the tiny-code-moe model's GPT-2 vocabulary.
 */
class CorpusEncodingTest {
    private static final int END_OF_TEXT = 50256;

    @Test
    void validationCorpusEncodesToTheReferenceIds() {
        Tokenizer tokenizer = SharedFixtures.tokenizer(SharedFixtures.tinyCodeMoe());
        String text = SharedFixtures.read(SharedFixtures.sharedDir().resolve("corpus/valid.txt"));
        int[] expected = referenceIds(SharedFixtures.sharedDir().resolve("corpus/valid.bin"));

        long start = System.nanoTime();
        int[] actual = tokenizer.encode(text, false, true);
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("encoded valid.txt (%d chars) into %d tokens in %d ms%n", text.length(), actual.length, millis);

        assertThat(firstDifference(actual, expected)).as(() -> describeDifference(tokenizer, actual, expected)).isEqualTo(-1);
        assertThat(java.util.Arrays.stream(actual).filter(id -> id == END_OF_TEXT).count()).isEqualTo(99);
    }

    @Test
    void endOfTextIsOrdinaryTextUnlessSpecialTokensAreParsed() {
        Tokenizer tokenizer = SharedFixtures.tokenizer(SharedFixtures.tinyCodeMoe());
        assertThat(tokenizer.encode("x<|endoftext|>", false, true)).containsExactly(87, END_OF_TEXT);
        assertThat(tokenizer.encode("x<|endoftext|>", false, false)).doesNotContain(END_OF_TEXT).hasSizeGreaterThan(2);
    }

    static int[] referenceIds(Path bin) {
        ShortBuffer shorts = ByteBuffer.wrap(SharedFixtures.readBytes(bin)).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
        int[] ids = new int[shorts.remaining()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = Short.toUnsignedInt(shorts.get(i));
        }
        return ids;
    }

    private static int firstDifference(int[] actual, int[] expected) {
        int n = Math.min(actual.length, expected.length);
        for (int i = 0; i < n; i++) {
            if (actual[i] != expected[i]) {
                return i;
            }
        }
        return actual.length == expected.length ? -1 : n;
    }

    private static String describeDifference(Tokenizer tokenizer, int[] actual, int[] expected) {
        int at = firstDifference(actual, expected);
        int from = Math.max(0, at - 5);
        StringBuilder sb = new StringBuilder("token lists differ (lengths " + actual.length + " vs expected "
                + expected.length + "), first at index " + at + "\n actual:  ");
        for (int i = from; i < Math.min(actual.length, at + 8); i++) {
            sb.append(actual[i]).append(SharedFixtures.displayName(tokenizer.tokenText(actual[i]))).append(' ');
        }
        sb.append("\n expected: ");
        for (int i = from; i < Math.min(expected.length, at + 8); i++) {
            sb.append(expected[i]).append(SharedFixtures.displayName(tokenizer.tokenText(expected[i]))).append(' ');
        }
        return sb.toString();
    }
}
