package io.moe4j.tokenizer;

/**
 * Read access to one piece of a text for the hand-written pre-tokenizer scanners: positions outside
 * the piece read as "no code point" with no flags, so a scanner never looks across a piece boundary.
 */
final class PieceCursor {
    static final int NONE = -1;

    final PreTokenizerText text;
    final int start;
    final int end;

    PieceCursor(PreTokenizerText text, int start, int end) {
        this.text = text;
        this.start = start;
        this.end = end;
    }

    int codePoint(int pos) {
        return pos >= start && pos < end ? text.codePointAt(pos) : NONE;
    }

    int flags(int pos) {
        return pos >= start && pos < end ? CodepointFlags.of(text.codePointAt(pos)) : 0;
    }

    /** First position at or after {@code pos} whose flags lack {@code flag}. */
    int skipWhile(int pos, int flag) {
        while ((flags(pos) & flag) != 0) {
            pos++;
        }
        return pos;
    }

    int whitespaceRun(int pos) {
        int n = 0;
        while ((flags(pos + n) & CodepointFlags.WHITESPACE) != 0) {
            n++;
        }
        return n;
    }

    /** A code point inside the piece that is neither whitespace, letter nor number: {@code [^\s\p{L}\p{N}]}. */
    static boolean isOther(int flags) {
        return flags != 0 && (flags & (CodepointFlags.WHITESPACE | CodepointFlags.LETTER | CodepointFlags.NUMBER)) == 0;
    }

    /**
     * Length of the English contraction ('s 't 're 've 'm 'll 'd) starting at {@code pos}, or 0.
     *
     * @param anyCase whether upper-case letters count too (llama3's {@code (?i:...)})
     */
    int contractionLength(int pos, boolean anyCase) {
        if (codePoint(pos) != '\'' || pos + 1 >= end) {
            return 0;
        }
        int a = fold(codePoint(pos + 1), anyCase);
        if (a == 's' || a == 't' || a == 'm' || a == 'd') {
            return 2;
        }
        if (pos + 2 < end) {
            int b = fold(codePoint(pos + 2), anyCase);
            if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) {
                return 3;
            }
        }
        return 0;
    }

    /** Lower-casing only matters for ASCII here: no other code point lower-cases to s, t, r, e, v, m, l or d. */
    private static int fold(int cp, boolean anyCase) {
        return anyCase && cp >= 'A' && cp <= 'Z' ? cp + ('a' - 'A') : cp;
    }
}
