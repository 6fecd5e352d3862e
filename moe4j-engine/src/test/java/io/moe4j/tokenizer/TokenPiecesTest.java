package io.moe4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The bytes each kind of token stands for. */
class TokenPiecesTest {

    private static String piece(Tokenizer tokenizer, int id) {
        return new String(tokenizer.tokenBytes(id), StandardCharsets.UTF_8);
    }

    @Test
    void byteUnicodeMappingCoversEveryByteOnce() {
        java.util.Set<Character> chars = new java.util.HashSet<>();
        for (int b = 0; b < 256; b++) {
            char c = ByteUnicode.charOf(b);
            assertThat(ByteUnicode.byteOf(c)).isEqualTo(b);
            chars.add(c);
        }
        assertThat(chars).hasSize(256);
        assertThat(ByteUnicode.charOf(' ')).isEqualTo('Ġ');
        assertThat(ByteUnicode.charOf('\n')).isEqualTo('Ċ');
        assertThat(ByteUnicode.charOf('A')).isEqualTo('A');
        assertThat(ByteUnicode.byteOf('€')).isEqualTo(-1);
    }

    @Test
    void byteLevelTokensMapTheirCharactersBackToBytes() {
        Tokenizer tokenizer = SharedFixtures.referenceTokenizer("gpt-2");
        int the = tokenizer.encode(" the", false, false)[0];

        assertThat(tokenizer.tokenText(the)).isEqualTo("Ġthe");
        assertThat(piece(tokenizer, the)).isEqualTo(" the");
        assertThat(piece(tokenizer, 198)).isEqualTo("\n");
        assertThat(tokenizer.tokenBytes(tokenizer.encode("\u00e9", false, false)[0])).hasSize(2);
    }

    @Test
    void characterOutsideTheByteAlphabetIsShownAsLlamaCppShowsIt() {
        Tokenizer tokenizer = TestMetadata.model("gpt2").string("tokenizer.ggml.pre", "gpt-2")
                .tokens("a", "€").merges("a a").tokenizer();

        assertThat(piece(tokenizer, 1)).isEqualTo("[UNK_BYTE_0xe282ac€]");
    }

    @Test
    void sentencePieceTokensTurnTheSpaceMarkIntoASpace() {
        Tokenizer tokenizer = SharedFixtures.referenceTokenizer("llama-spm");
        int hello = tokenizer.encode("Hello", false, false)[0];

        assertThat(tokenizer.tokenText(hello)).isEqualTo("▁Hello");
        assertThat(piece(tokenizer, hello)).isEqualTo(" Hello");
        assertThat(tokenizer.tokenText(13)).isEqualTo("<0x0A>");
        assertThat(tokenizer.tokenBytes(13)).containsExactly(0x0A);
        assertThat(tokenizer.tokenBytes(0xF0 + 3)).containsExactly(0xF0);
        assertThat(piece(tokenizer, 0)).isEqualTo("<unk>");
        assertThat(piece(tokenizer, 1)).isEqualTo("<s>");
    }

    @Test
    void decodingRemovesOnlyTheFirstDummyPrefixSpace() {
        Tokenizer tokenizer = SharedFixtures.referenceTokenizer("llama-spm");
        int hello = tokenizer.encode("Hello", false, false)[0];

        assertThat(tokenizer.decode(new int[] {hello, hello})).isEqualTo("Hello Hello");
        assertThat(tokenizer.decode(new int[0])).isEmpty();
    }
}
