package io.moe4j.tokenizer;

/**
 * A split pass written as a scanner over each piece (llama.cpp replaces its most used pre-tokenizer regexes by
 * such scanners): subclasses say how one piece is cut; the pieces are walked here.
 */
abstract class ScannerSplit implements SplitPass {

    @Override
    public final IntList split(PreTokenizerText text, IntList pieces) {
        IntList out = new IntList(pieces.size() * 8);
        int pieceStart = 0;
        for (int p = 0; p < pieces.size(); p++) {
            int pieceEnd = pieceStart + pieces.get(p);
            splitPiece(new PieceCursor(text, pieceStart, pieceEnd), out);
            pieceStart = pieceEnd;
        }
        return out;
    }

    /** Appends to {@code out} the lengths of the parts the piece under {@code c} is cut into. */
    abstract void splitPiece(PieceCursor c, IntList out);

    /** Appends the part {@code [from, to)} if it is not empty; returns {@code to}, where the next part starts. */
    static int emit(IntList out, int from, int to) {
        if (to > from) {
            out.add(to - from);
        }
        return to;
    }
}
