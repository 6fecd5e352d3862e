package io.moe4j.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Decodes tokens as they are generated. A character can be split over several tokens (byte-level BPE
 * and SentencePiece byte tokens both do this for emoji and CJK text), so text is only released once
 * its UTF-8 is complete; the start of an unfinished character is held back until the tokens that
 * complete it arrive.
 *
 * <p>Each token contributes its piece as in llama.cpp's generation loop: no leading space is removed.
 * Not thread-safe; use one per generated sequence.
 */
public final class StreamingDecoder {
    private final Tokenizer tokenizer;
    private byte[] pending = new byte[16];
    private int pendingLength;

    StreamingDecoder(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Adds one token and returns the text it completes; empty while a character is still unfinished. */
    public String accept(int id) {
        byte[] piece = tokenizer.tokenBytes(id);
        if (pendingLength + piece.length > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLength + piece.length));
        }
        System.arraycopy(piece, 0, pending, pendingLength, piece.length);
        pendingLength += piece.length;

        int complete = pendingLength - Utf8.incompleteTailLength(pending, pendingLength);
        String text = new String(pending, 0, complete, StandardCharsets.UTF_8);
        System.arraycopy(pending, complete, pending, 0, pendingLength - complete);
        pendingLength -= complete;
        return text;
    }

    /** Ends the sequence: returns any held-back bytes, as U+FFFD since no token completed them. */
    public String flush() {
        String text = new String(pending, 0, pendingLength, StandardCharsets.UTF_8);
        pendingLength = 0;
        return text;
    }

    /** Whether bytes of an unfinished character are being held back. */
    public boolean hasPendingBytes() {
        return pendingLength > 0;
    }
}
