package io.moe4j.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * What every tokenizer built on a GGUF {@link Vocabulary} does the same way: cutting special tokens out
 * of the text, adding BOS/EOS, and turning tokens back into bytes. Subclasses encode plain text and
 * say how a normal token's text maps to bytes.
 */
abstract sealed class VocabularyTokenizer implements Tokenizer permits ByteLevelBpeTokenizer, SentencePieceTokenizer {
    final Vocabulary vocabulary;
    private final SpecialTokenSplitter specialTokenSplitter;
    /** Every token's bytes, computed once (llama.cpp keeps the same cache). */
    private final byte[][] pieces;

    /** @param normalTokenBytes the model's rule for the bytes of a NORMAL token's vocabulary text */
    VocabularyTokenizer(Vocabulary vocabulary, Function<String, byte[]> normalTokenBytes) {
        this.vocabulary = vocabulary;
        this.specialTokenSplitter = new SpecialTokenSplitter(vocabulary);
        this.pieces = new byte[vocabulary.size()][];
        for (int id = 0; id < pieces.length; id++) {
            pieces[id] = piece(id, normalTokenBytes);
        }
    }

    /** Appends the ids of the fragments (text and special tokens) in order. */
    abstract void encodeFragments(List<Fragment> fragments, IntList out);

    @Override
    public final int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        Objects.requireNonNull(text, "text");
        List<Fragment> fragments = specialTokenSplitter.split(text, parseSpecial);
        IntList out = new IntList(text.length() / 3 + 4);
        if (addSpecial && vocabulary.addBos()) {
            out.add(vocabulary.bos());
        }
        encodeFragments(fragments, out);
        if (addSpecial && vocabulary.addEos()) {
            out.add(vocabulary.eos());
        }
        return out.toArray();
    }

    @Override
    public final String decode(int[] ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(ids.length * 4);
        for (int i = 0; i < ids.length; i++) {
            byte[] piece = pieceOf(ids[i]);
            // the space that SentencePiece's dummy prefix put before the first word is not part of the text
            int skip = i == 0 && vocabulary.addSpacePrefix() && piece.length > 0 && piece[0] == ' ' ? 1 : 0;
            out.write(piece, skip, piece.length - skip);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public final byte[] tokenBytes(int id) {
        return pieceOf(id).clone();
    }

    @Override
    public final String tokenText(int id) {
        return vocabulary.text(id);
    }

    @Override
    public final int vocabularySize() {
        return vocabulary.size();
    }

    @Override
    public final OptionalInt bos() {
        return optional(vocabulary.bos());
    }

    @Override
    public final OptionalInt eos() {
        return optional(vocabulary.eos());
    }

    @Override
    public final boolean isEndOfGeneration(int id) {
        return vocabulary.isEndOfGeneration(id);
    }

    private byte[] pieceOf(int id) {
        if (id < 0 || id >= pieces.length) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + pieces.length + " tokens");
        }
        return pieces[id];
    }

    /**
     * A token's bytes as llama.cpp's token_to_piece renders them with special tokens shown: control,
     * unknown and user-defined tokens as their text, byte tokens as their byte, normal tokens by the
     * model's rule, and unused or undefined tokens as nothing.
     */
    private byte[] piece(int id, Function<String, byte[]> normalTokenBytes) {
        String text = vocabulary.text(id);
        int attrs = vocabulary.attrs(id);
        if ((attrs & (TokenAttr.CONTROL | TokenAttr.UNKNOWN | TokenAttr.USER_DEFINED)) != 0) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        if ((attrs & TokenAttr.NORMAL) != 0) {
            return normalTokenBytes.apply(text);
        }
        if ((attrs & TokenAttr.BYTE) != 0) {
            return new byte[] {(byte) byteTokenValue(text)};
        }
        return new byte[0];
    }

    /** The byte of a {@code <0xXX>} token; like llama.cpp's strtol, text that is not hex reads as 0. */
    static int byteTokenValue(String text) {
        if (text.length() < 5) {
            return 0;
        }
        try {
            return Integer.parseInt(text.substring(3, 5), 16);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static OptionalInt optional(int id) {
        return id == Vocabulary.NONE ? OptionalInt.empty() : OptionalInt.of(id);
    }
}
