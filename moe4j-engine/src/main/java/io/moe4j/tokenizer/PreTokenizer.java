package io.moe4j.tokenizer;

import java.util.ArrayList;
import java.util.List;

/** Splits text into the words that byte-level BPE encodes one at a time, by running split passes in order. */
final class PreTokenizer {
    private final List<SplitPass> passes;

    PreTokenizer(List<SplitPass> passes) {
        this.passes = List.copyOf(passes);
    }

    /** The words of {@code text}, in order; together they are exactly the text. */
    List<String> split(String text) {
        int[] cps = Utf8.codePoints(text);
        if (cps.length == 0) {
            return List.of();
        }
        PreTokenizerText subject = new PreTokenizerText(cps);
        IntList pieces = new IntList(1);
        pieces.add(cps.length);
        for (SplitPass pass : passes) {
            pieces = pass.split(subject, pieces);
        }
        List<String> words = new ArrayList<>(pieces.size());
        int start = 0;
        for (int i = 0; i < pieces.size(); i++) {
            words.add(new String(cps, start, pieces.get(i)));
            start += pieces.get(i);
        }
        return words;
    }
}
