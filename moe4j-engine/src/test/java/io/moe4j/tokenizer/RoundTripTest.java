package io.moe4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Decoding what was encoded gives back the text: BPE and SentencePiece are both lossless. */
class RoundTripTest {
    /** About 200 KB of Python source, cut at a line end. */
    private static final int CORPUS_PREFIX_CHARS = 200_000;

    @TestFactory
    Stream<DynamicTest> referenceInputsRoundTrip() {
        return Stream.of("gpt-2", "llama-spm", "phi-3", "deepseek-llm", "deepseek-coder").flatMap(name -> {
            List<String> inputs = SharedFixtures.referenceInputs(name);
            return inputs.stream().map(input -> DynamicTest.dynamicTest(
                    name + " " + SharedFixtures.displayName(input), () -> {
                        Tokenizer tokenizer = SharedFixtures.referenceTokenizer(name);
                        assertThat(tokenizer.decode(tokenizer.encode(input, false, false))).isEqualTo(input);
                    }));
        });
    }

    @Test
    void corpusPrefixRoundTripsWithGpt2Vocabulary() {
        String corpus = SharedFixtures.read(SharedFixtures.sharedDir().resolve("corpus/valid.txt"));
        String prefix = corpus.substring(0, corpus.indexOf('\n', CORPUS_PREFIX_CHARS) + 1);
        Tokenizer tokenizer = SharedFixtures.referenceTokenizer("gpt-2");

        int[] ids = tokenizer.encode(prefix, false, true);

        assertThat(ids.length).isGreaterThan(prefix.length() / 10);
        assertThat(tokenizer.decode(ids)).isEqualTo(prefix);
    }

    @Test
    void sentencePieceDecodingDropsOnlyTheDummyPrefixSpace() {
        Tokenizer tokenizer = SharedFixtures.referenceTokenizer("llama-spm");
        int[] ids = tokenizer.encode("  two leading spaces", true, false);

        assertThat(ids[0]).isEqualTo(1);
        assertThat(tokenizer.decode(ids)).isEqualTo("<s>   two leading spaces");
        assertThat(tokenizer.decode(java.util.Arrays.copyOfRange(ids, 1, ids.length))).isEqualTo("  two leading spaces");
    }
}
