package io.moe4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moe4j.gguf.GgufException;
import io.moe4j.gguf.GgufMetadata;
import io.moe4j.gguf.GgufValue;
import io.moe4j.gguf.GgufValueType;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Choosing the tokenizer from metadata, and the errors for metadata that does not describe one. */
class TokenizerFactoryTest {

    @Test
    void picksTheImplementationByModel() {
        assertThat(SharedFixtures.referenceTokenizer("gpt-2")).isInstanceOf(ByteLevelBpeTokenizer.class);
        assertThat(SharedFixtures.referenceTokenizer("llama-spm")).isInstanceOf(SentencePieceTokenizer.class);
        assertThat(((ByteLevelBpeTokenizer) SharedFixtures.referenceTokenizer("deepseek-coder")).preTokenizerType())
                .isEqualTo(PreTokenizerType.DEEPSEEK_CODER);
    }

    @Test
    void unknownModelIsNamedInTheError() {
        assertThatThrownBy(() -> TestMetadata.model("wordpiece-9000").tokens("a").tokenizer())
                .isInstanceOf(GgufException.class).hasMessageContaining("'wordpiece-9000'").hasMessageContaining("unknown");
        assertThatThrownBy(() -> TestMetadata.model("t5").tokens("a").tokenizer())
                .isInstanceOf(GgufException.class).hasMessageContaining("'t5'").hasMessageContaining("not supported");
    }

    @Test
    void modelWithoutVocabularyCannotTokenize() {
        assertThatThrownBy(() -> TestMetadata.model("none").tokenizer())
                .isInstanceOf(GgufException.class).hasMessageContaining("no vocabulary");
        assertThatThrownBy(() -> new TestMetadata().tokens("a").tokenizer())
                .isInstanceOf(GgufException.class).hasMessageContaining(Tokenizer.MODEL_KEY);
    }

    @Test
    void missingTokensArrayIsReported() {
        assertThatThrownBy(() -> TestMetadata.model("llama").tokenizer())
                .isInstanceOf(GgufException.class).hasMessageContaining("tokenizer.ggml.tokens").hasMessageContaining("missing");
        assertThatThrownBy(() -> TestMetadata.model("gpt2").merges("a b").string("tokenizer.ggml.pre", "gpt-2").tokenizer())
                .isInstanceOf(GgufException.class).hasMessageContaining("tokenizer.ggml.tokens");
    }

    @Test
    void malformedVocabulariesAreRejected() {
        assertThatThrownBy(() -> Tokenizer.fromGguf(new GgufMetadata(Map.of(
                Tokenizer.MODEL_KEY, GgufValue.ofString("llama"),
                "tokenizer.ggml.tokens", GgufValue.ofArray(GgufValue.GgufArray.ofInts(GgufValueType.INT32, 1, 2))))))
                .isInstanceOf(GgufException.class).hasMessageContaining("expected STRING");
        assertThatThrownBy(() -> TestMetadata.model("llama").tokens("<unk>", "a", "a").tokenizer())
                .isInstanceOf(GgufException.class).hasMessageContaining("duplicate token").hasMessageContaining("'a'");
        assertThatThrownBy(() -> TestMetadata.model("llama").tokens("<unk>", "a").scores(0f).tokenizer())
                .isInstanceOf(GgufException.class).hasMessageContaining("tokenizer.ggml.scores");
    }

    @Test
    void byteLevelBpeNeedsMergesAndAKnownPreTokenizer() {
        assertThatThrownBy(() -> TestMetadata.model("gpt2").tokens("a").tokenizer())
                .isInstanceOf(GgufException.class).hasMessageContaining("tokenizer.ggml.merges");
        assertThatThrownBy(() -> TestMetadata.model("gpt2").tokens("a").merges("a a").string("tokenizer.ggml.pre", "shiny-new").tokenizer())
                .isInstanceOf(GgufException.class).hasMessageContaining("'shiny-new'");
    }

    @Test
    void addingBosNeedsABosToken() {
        // GPT-2's default BOS id (11) does not exist in a 3-token vocabulary
        assertThatThrownBy(() -> TestMetadata.model("gpt2").tokens("a", "b", "ab").merges("a b")
                .string("tokenizer.ggml.pre", "gpt-2").flag("tokenizer.ggml.add_bos_token", true).tokenizer())
                .isInstanceOf(GgufException.class).hasMessageContaining("add_bos_token");
    }

    @Test
    void smallByteLevelVocabularyFollowsItsMerges() {
        Tokenizer tokenizer = TestMetadata.model("gpt2").string("tokenizer.ggml.pre", "gpt-2")
                .tokens("a", "b", "c", "Ġ", "ab", "Ġab", "abc")
                .merges("a b", "Ġ ab", "ab c")
                .tokenizer();

        assertThat(tokenizer.encode("abc", false, false)).containsExactly(6);
        // "Ġ ab" outranks "ab c", so " abc" becomes "Ġab" + "c" even though "abc" is a token
        assertThat(tokenizer.encode(" ab abc", false, false)).containsExactly(5, 5, 2);
        assertThat(tokenizer.encode("ba", false, false)).containsExactly(1, 0);
        // 'd' has no token; byte-level BPE falls back to its byte, which this vocabulary lacks too
        assertThat(tokenizer.encode("ad", false, false)).containsExactly(0);
        assertThat(tokenizer.bos()).isEmpty();
        assertThat(tokenizer.decode(new int[] {5, 5, 2})).isEqualTo(" ab abc");
    }

    @Test
    void sentencePieceWithoutByteTokensFallsBackToTheUnknownToken() {
        Tokenizer tokenizer = TestMetadata.model("llama")
                .tokens("<unk>", "<s>", "</s>", "▁", "x", "▁x")
                .scores(0, 0, 0, -1, -2, -0.5f)
                .tokenTypes(2, 3, 3, 1, 1, 1)
                .tokenizer();

        assertThat(tokenizer.encode("x?", true, false)).containsExactly(1, 5, 0);
        assertThat(tokenizer.decode(new int[] {5, 0})).isEqualTo("x<unk>");
    }
}
