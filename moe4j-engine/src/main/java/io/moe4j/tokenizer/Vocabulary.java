package io.moe4j.tokenizer;

import java.util.BitSet;
import java.util.Map;

/**
 * A model's tokens (text, score, attributes), its special tokens and the flags that say how text is
 * turned into tokens. Immutable; built by {@link VocabularyLoader}.
 */
final class Vocabulary {
    static final int NONE = SpecialTokenIds.NONE;

    private final String[] texts;
    private final float[] scores;
    private final int[] attrs;
    private final Map<String, Integer> idsByText;
    private final SpecialTokenIds specialIds;
    private final BitSet endOfGeneration;
    private final int[] specialTokensLongestFirst;
    private final boolean addBos;
    private final boolean addEos;
    private final boolean addSpacePrefix;

    Vocabulary(String[] texts, float[] scores, int[] attrs, Map<String, Integer> idsByText, SpecialTokenIds specialIds,
               BitSet endOfGeneration, int[] specialTokensLongestFirst, boolean addBos, boolean addEos,
               boolean addSpacePrefix) {
        this.texts = texts;
        this.scores = scores;
        this.attrs = attrs;
        this.idsByText = idsByText;
        this.specialIds = specialIds;
        this.endOfGeneration = endOfGeneration;
        this.specialTokensLongestFirst = specialTokensLongestFirst;
        this.addBos = addBos;
        this.addEos = addEos;
        this.addSpacePrefix = addSpacePrefix;
    }

    int size() {
        return texts.length;
    }

    String text(int id) {
        checkId(id);
        return texts[id];
    }

    float score(int id) {
        return scores[id];
    }

    int attrs(int id) {
        checkId(id);
        return attrs[id];
    }

    boolean hasAttr(int id, int attr) {
        return (attrs(id) & attr) != 0;
    }

    /** The id of the token with exactly this text, or {@link #NONE}. */
    int id(String text) {
        Integer id = idsByText.get(text);
        return id == null ? NONE : id;
    }

    int bos() {
        return specialIds.bos;
    }

    int eos() {
        return specialIds.eos;
    }

    int unknown() {
        return specialIds.unknown;
    }

    boolean isEndOfGeneration(int id) {
        return id >= 0 && endOfGeneration.get(id);
    }

    /** Control, user-defined and unknown tokens, longest text first: the order they are cut out of text. */
    int[] specialTokensLongestFirst() {
        return specialTokensLongestFirst.clone();
    }

    boolean addBos() {
        return addBos;
    }

    boolean addEos() {
        return addEos;
    }

    /** SentencePiece's "dummy prefix": text gets a leading space, which decoding removes again. */
    boolean addSpacePrefix() {
        return addSpacePrefix;
    }

    private void checkId(int id) {
        if (id < 0 || id >= texts.length) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + texts.length + " tokens");
        }
    }
}
