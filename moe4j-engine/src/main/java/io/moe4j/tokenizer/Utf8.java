package io.moe4j.tokenizer;

import java.io.ByteArrayOutputStream;

/** UTF-8 helpers for the places where a Java {@code String} and llama.cpp's byte strings must agree. */
final class Utf8 {
    /** What llama.cpp substitutes for input it cannot decode; we use it for unpaired surrogates. */
    static final int REPLACEMENT = 0xFFFD;

    private Utf8() {
    }

    /**
     * The code points of {@code text}. A Java string cannot hold invalid UTF-8, but it can hold an
     * unpaired surrogate; it becomes U+FFFD, as an undecodable byte does in llama.cpp.
     */
    static int[] codePoints(String text) {
        int[] cps = new int[text.length()];
        int n = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            cps[n++] = cp <= 0xFFFF && Character.isSurrogate((char) cp) ? REPLACEMENT : cp;
        }
        return n == cps.length ? cps : java.util.Arrays.copyOf(cps, n);
    }

    /** Appends the UTF-8 encoding of one code point. */
    static void encode(int cp, ByteArrayOutputStream out) {
        if (cp < 0x80) {
            out.write(cp);
        } else if (cp < 0x800) {
            out.write(0xC0 | (cp >> 6));
            out.write(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out.write(0xE0 | (cp >> 12));
            out.write(0x80 | ((cp >> 6) & 0x3F));
            out.write(0x80 | (cp & 0x3F));
        } else {
            out.write(0xF0 | (cp >> 18));
            out.write(0x80 | ((cp >> 12) & 0x3F));
            out.write(0x80 | ((cp >> 6) & 0x3F));
            out.write(0x80 | (cp & 0x3F));
        }
    }

    static byte[] encode(int[] cps, int from, int to) {
        ByteArrayOutputStream out = new ByteArrayOutputStream((to - from) * 2);
        for (int i = from; i < to; i++) {
            encode(cps[i], out);
        }
        return out.toByteArray();
    }

    /** Length of the sequence a lead byte announces, or 0 if {@code b} cannot start a sequence. */
    static int sequenceLength(int b) {
        b &= 0xFF;
        if (b < 0x80) {
            return 1;
        }
        if (b >= 0xC2 && b <= 0xDF) {
            return 2;
        }
        if (b >= 0xE0 && b <= 0xEF) {
            return 3;
        }
        if (b >= 0xF0 && b <= 0xF4) {
            return 4;
        }
        return 0;
    }

    static boolean isContinuation(int b) {
        return (b & 0xC0) == 0x80;
    }

    /**
     * How many bytes at the end of {@code bytes[0, length)} form the start of a multi-byte sequence
     * that more bytes could still complete; 0 if the buffer ends on a complete (or hopeless) sequence.
     */
    static int incompleteTailLength(byte[] bytes, int length) {
        // A sequence is at most 4 bytes, so its lead byte is among the last 3 bytes of an incomplete tail.
        for (int back = 1; back <= Math.min(3, length); back++) {
            int b = bytes[length - back] & 0xFF;
            if (isContinuation(b)) {
                continue;
            }
            int need = sequenceLength(b);
            return need > back ? back : 0;
        }
        return 0;
    }
}
