package io.moe4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** BOS/EOS, end-of-generation tokens, and special tokens written in the input text. */
class SpecialTokensTest {

    @Test
    void gpt2EndOfTextIsBosEosAndEndOfGeneration() {
        Tokenizer tokenizer = SharedFixtures.referenceTokenizer("gpt-2");

        assertThat(tokenizer.vocabularySize()).isEqualTo(50257);
        assertThat(tokenizer.bos()).hasValue(50256);
        assertThat(tokenizer.eos()).hasValue(50256);
        assertThat(tokenizer.tokenText(50256)).isEqualTo("<|endoftext|>");
        assertThat(IntStream.range(0, 50257).filter(tokenizer::isEndOfGeneration).toArray()).containsExactly(50256);
        assertThat(tokenizer.decode(new int[] {50256})).isEqualTo("<|endoftext|>");
        // GPT-2 adds neither BOS nor EOS
        assertThat(tokenizer.encode("Hello", true, false)).isEqualTo(tokenizer.encode("Hello", false, false));
    }

    @Test
    void sentencePieceAddsBosAndParsesControlTokensOnlyWhenAsked() {
        Tokenizer tokenizer = SharedFixtures.referenceTokenizer("llama-spm");

        assertThat(tokenizer.encode("", true, false)).containsExactly(1);
        assertThat(tokenizer.encode("Hello", true, false)).startsWith(1).doesNotContain(2);
        assertThat(tokenizer.encode("<s>", false, true)).containsExactly(1);
        assertThat(tokenizer.encode("<s>", false, false)).doesNotContain(1);
        assertThat(tokenizer.isEndOfGeneration(2)).isTrue();
        assertThat(tokenizer.isEndOfGeneration(1)).isFalse();
    }

    @Test
    void textAfterASpecialTokenGetsTheDummyPrefixAgain() {
        Tokenizer tokenizer = SharedFixtures.referenceTokenizer("llama-spm");
        int[] ids = tokenizer.encode("</s>\nHi", false, true);

        assertThat(ids[0]).isEqualTo(2);
        assertThat(Arrays.copyOfRange(ids, 1, ids.length)).isEqualTo(tokenizer.encode("\nHi", false, false));
    }

    @Test
    void phi3SpecialTokensSwallowTheWhitespaceAfterThem() {
        Tokenizer tokenizer = SharedFixtures.referenceTokenizer("phi-3");
        int[] ids = tokenizer.encode("<|end|>\n Hi", false, true);

        assertThat(ids[0]).isEqualTo(32007);
        assertThat(Arrays.copyOfRange(ids, 1, ids.length)).isEqualTo(tokenizer.encode("Hi", false, false));
        assertThat(IntStream.of(2, 32000, 32007).allMatch(tokenizer::isEndOfGeneration)).isTrue();
        assertThat(tokenizer.isEndOfGeneration(32001)).as("<|assistant|>").isFalse();
    }

    @Test
    void userDefinedTokensAreSplitOutEvenWithoutParsingSpecialTokens() {
        Tokenizer tokenizer = SharedFixtures.referenceTokenizer("deepseek-coder");

        assertThat(tokenizer.tokenText(32000)).isEqualTo("õ");
        assertThat(tokenizer.encode("õ", false, false)).containsExactly(32000);
        // a FIM token is user-defined in the file but recognised by text as a control token
        assertThat(tokenizer.tokenText(32016)).isEqualTo("<｜fim▁begin｜>");
        assertThat(tokenizer.encode("<｜fim▁begin｜>", false, true)).containsExactly(32016);
        assertThat(tokenizer.encode("<｜fim▁begin｜>", false, false)).doesNotContain(32016);
        assertThat(tokenizer.encode("x", true, false)).containsExactly(32013, 87);
    }

    @Test
    void endOfTurnTokensAreRecognisedByTheirText() {
        Tokenizer tokenizer = TestMetadata.model("gpt2").string("tokenizer.ggml.pre", "qwen2")
                .tokens("a", "b", "<|im_start|>", "<|im_end|>")
                .merges("a b")
                .tokenTypes(1, 1, 3, 1) // <|im_end|> mistyped as normal, as some converters do
                .id("tokenizer.ggml.eos_token_id", 2)
                .tokenizer();

        assertThat(tokenizer.isEndOfGeneration(3)).isTrue();
        assertThat(tokenizer.isEndOfGeneration(2)).as("eos").isTrue();
        assertThat(tokenizer.encode("a<|im_end|>", false, true)).containsExactly(0, 3);
        assertThat(tokenizer.encode("a<|im_end|>", false, false)).doesNotContain(3);
    }
}
