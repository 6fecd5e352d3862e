package io.moe4j.tokenizer;

/**
 * The Llama 3 pre-tokenizer regex
 * {@code (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+}
 * as a hand-written scanner, following the one llama.cpp uses in place of the regex.
 */
final class Llama3Split extends ScannerSplit {
    /** The two spellings llama.cpp recognises and replaces by its scanner. */
    static final String REGEX = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    static final String REGEX_CASE_INSENSITIVE = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    @Override
    void splitPiece(PieceCursor c, IntList out) {
        int pos = c.start;
        int end = c.end;
        while (pos < end) {
            int cp = c.codePoint(pos);
            int flags = c.flags(pos);

            int contraction = c.contractionLength(pos, true);
            if (contraction > 0) {
                pos = emit(out, pos, pos + contraction);
                continue;
            }

            // [^\r\n\p{L}\p{N}]?\p{L}+ : a letter run, optionally led by one other non-digit character
            boolean isLineBreak = cp == '\r' || cp == '\n';
            if (!isLineBreak && (flags & CodepointFlags.NUMBER) == 0
                    && ((flags & CodepointFlags.LETTER) != 0 || (c.flags(pos + 1) & CodepointFlags.LETTER) != 0)) {
                pos = emit(out, pos, c.skipWhile(pos + 1, CodepointFlags.LETTER));
                continue;
            }

            // \p{N}{1,3}
            if ((flags & CodepointFlags.NUMBER) != 0) {
                int groupStart = pos;
                while ((c.flags(pos) & CodepointFlags.NUMBER) != 0) {
                    pos++;
                    if (pos - groupStart >= 3) {
                        emit(out, groupStart, pos);
                        groupStart = pos;
                    }
                }
                emit(out, groupStart, pos);
                continue;
            }

            //  ?[^\s\p{L}\p{N}]+[\r\n]* ; llama.cpp tests the flags of the first code point for "in the
            // piece", so a lone trailing space is taken here (same piece as \s+ would give)
            int next = cp == ' ' ? c.flags(pos + 1) : flags;
            if ((next & (CodepointFlags.WHITESPACE | CodepointFlags.LETTER | CodepointFlags.NUMBER)) == 0 && flags != 0) {
                int q = cp == ' ' ? pos + 1 : pos;
                while (PieceCursor.isOther(c.flags(q))) {
                    q++;
                }
                while (c.codePoint(q) == '\r' || c.codePoint(q) == '\n') {
                    q++;
                }
                pos = emit(out, pos, q);
                continue;
            }

            int spaces = 0;
            int afterLastLineBreak = -1;
            while ((c.flags(pos + spaces) & CodepointFlags.WHITESPACE) != 0) {
                int w = c.codePoint(pos + spaces);
                spaces++;
                if (w == '\r' || w == '\n') {
                    afterLastLineBreak = pos + spaces;
                }
            }
            if (afterLastLineBreak >= 0) {
                // \s*[\r\n]+
                pos = emit(out, pos, afterLastLineBreak);
                continue;
            }
            if (spaces > 1 && pos + spaces < end) {
                // \s+(?!\S)
                pos = emit(out, pos, pos + spaces - 1);
                continue;
            }
            if (spaces > 0) {
                pos = emit(out, pos, pos + spaces);
                continue;
            }
            pos = emit(out, pos, pos + 1);
        }
    }

    @Override
    public String toString() {
        return "llama3 scanner";
    }
}
