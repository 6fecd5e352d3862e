package io.moe4j.generate;

/**
 * Self-contrast decoding: the same model run twice, with a strong and a weak routing, each with its own
 * KV cache. On log-probabilities {@code s} (strong) and {@code w} (weak), a token whose strong probability
 * is at least alpha times the strongest gets {@code s + beta·(s − w)}.
 *
 * <p>The paper gives every other token minus infinity. Perplexity must stay finite, so here such a
 * token keeps its strong score, capped at the lowest contrasted score: every plausible token still
 * ranks above every implausible one (greedy decoding, top-k and top-p behave as in the paper), and
 * beta = 0 gives back the strong model exactly.
 */
public final class ContrastiveSession implements LogitsSource {
    private final Session strong;
    private final Session weak;
    private final ContrastSpec spec;

    public ContrastiveSession(Session strong, Session weak, ContrastSpec spec) {
        if (strong.contextSize() != weak.contextSize()) {
            throw new IllegalArgumentException("strong and weak sessions differ in context size");
        }
        this.strong = strong.routing(spec.strong());
        this.weak = weak.routing(spec.weak());
        this.spec = spec;
    }

    @Override
    public int contextSize() {
        return strong.contextSize();
    }

    @Override
    public int position() {
        return strong.position();
    }

    @Override
    public int[] history() {
        return strong.history();
    }

    @Override
    public void reset() {
        strong.reset();
        weak.reset();
    }

    @Override
    public float[] feed(int... tokens) {
        return combine(strong.feed(tokens), weak.feed(tokens), spec.beta(), spec.alpha());
    }

    @Override
    public float[][] feedAll(int... tokens) {
        float[][] s = strong.feedAll(tokens);
        float[][] w = weak.feedAll(tokens);
        float[][] out = new float[s.length][];
        for (int t = 0; t < s.length; t++) {
            out[t] = combine(s[t], w[t], spec.beta(), spec.alpha());
        }
        return out;
    }

    /** Contrasted scores of one position (log-probability scale) from the two models' logits. */
    public static float[] combine(float[] strongLogits, float[] weakLogits, double beta, double alpha) {
        double[] s = logSoftmax(strongLogits);
        double[] w = logSoftmax(weakLogits);
        double best = Double.NEGATIVE_INFINITY;
        for (double v : s) {
            best = Math.max(best, v);
        }
        double cutoff = alpha > 0 ? best + Math.log(alpha) : Double.NEGATIVE_INFINITY;
        float[] out = new float[s.length];
        double lowest = Double.POSITIVE_INFINITY;
        for (int i = 0; i < s.length; i++) {
            if (s[i] >= cutoff) {
                out[i] = (float) (s[i] + beta * (s[i] - w[i]));
                lowest = Math.min(lowest, out[i]);
            }
        }
        for (int i = 0; i < s.length; i++) {
            if (s[i] < cutoff) {
                out[i] = (float) Math.min(s[i], lowest);
            }
        }
        return out;
    }

    private static double[] logSoftmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : logits) {
            sum += Math.exp(v - max);
        }
        double lse = max + Math.log(sum);
        double[] out = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            out[i] = logits[i] - lse;
        }
        return out;
    }
}
