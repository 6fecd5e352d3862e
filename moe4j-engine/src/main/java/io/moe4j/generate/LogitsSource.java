package io.moe4j.generate;

/**
 * Something fed tokens that answers with next-token logits: a model {@link Session}, or two sessions
 * combined ({@link ContrastiveSession}). Generation and perplexity work on either.
 */
public interface LogitsSource {
    int contextSize();

    /** Tokens fed since the last reset. */
    int position();

    int[] history();

    /** Forgets every token fed so far. */
    void reset();

    /**
     * Feeds tokens in one batch and returns the logits after the last one. The array may be reused by the
     * next call (a decode loop then allocates no vocabulary-sized row per token): copy it to keep it.
     */
    float[] feed(int... tokens);

    /** {@link #feed(int...)} of one token: a decode step. */
    default float[] feed(int token) {
        return feed(new int[] {token});
    }

    /** Feeds tokens in one batch and returns the logits after each of them. */
    float[][] feedAll(int... tokens);
}
