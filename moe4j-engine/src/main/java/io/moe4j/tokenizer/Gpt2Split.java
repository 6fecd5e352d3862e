package io.moe4j.tokenizer;

/**
 * The GPT-2 pre-tokenizer regex
 * {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)} as a hand-written
 * scanner. llama.cpp also replaces this regex by a scanner (it is on the hot path of every GPT-2 style
 * model); we follow that scanner's decisions, including how text the regex does not match is cut.
 */
final class Gpt2Split extends ScannerSplit {
    static final String REGEX = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";

    @Override
    void splitPiece(PieceCursor c, IntList out) {
        int pos = c.start;
        int end = c.end;
        while (pos < end) {
            int cp = c.codePoint(pos);
            int flags = c.flags(pos);

            int contraction = c.contractionLength(pos, false);
            if (contraction > 0) {
                pos = emit(out, pos, pos + contraction);
                continue;
            }

            // " ?X+" alternatives: an optional space followed by a run of one class
            int next = cp == ' ' ? c.flags(pos + 1) : flags;
            int runStart = cp == ' ' ? pos + 1 : pos;
            if ((next & CodepointFlags.LETTER) != 0) {
                pos = emit(out, pos, c.skipWhile(runStart, CodepointFlags.LETTER));
                continue;
            }
            if ((next & CodepointFlags.NUMBER) != 0) {
                pos = emit(out, pos, c.skipWhile(runStart, CodepointFlags.NUMBER));
                continue;
            }
            if (PieceCursor.isOther(next)) {
                int q = runStart;
                while (PieceCursor.isOther(c.flags(q))) {
                    q++;
                }
                pos = emit(out, pos, q);
                continue;
            }

            int spaces = c.whitespaceRun(pos);
            if (spaces > 1 && pos + spaces < end) {
                // \s+(?!\S): leave the last whitespace to lead the next word
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
        return "gpt-2 scanner";
    }
}
