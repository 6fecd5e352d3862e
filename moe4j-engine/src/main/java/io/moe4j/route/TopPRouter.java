package io.moe4j.route;

/**
 * {@code topp:P[,min=A,max=B]}: dynamic routing as in "Harder Tasks Need More Experts" (Huang et al., 2024):
 * the smallest set of experts, by descending probability, whose share of the probability mass reaches P,
 * then clamped to at least A and at most B experts. Mass is measured relative to the sum of all
 * probabilities, so that sigmoid gates (which do not sum to one) mean the same thing. Among experts of
 * equal probability the lower index is taken first.
 */
public final class TopPRouter extends PerTokenRouter {
    private final double p;
    private final int min;
    private final int max;

    /** @param max at most this many experts; {@link Integer#MAX_VALUE} for no limit */
    public TopPRouter(double p, int min, int max) {
        if (!(p > 0 && p <= 1)) {
            throw new IllegalArgumentException("P must be in (0, 1], got " + p);
        }
        if (min < 1) {
            throw new IllegalArgumentException("min must be at least 1, got " + min);
        }
        if (max < min) {
            throw new IllegalArgumentException("max must be at least min (" + min + "), got " + max);
        }
        this.p = p;
        this.min = min;
        this.max = max;
    }

    @Override
    ExpertSelection select(int layer, float[] probs, int[] order, Gating gating) {
        double target = p * mass(probs);
        double cumulative = 0;
        int n = probs.length;
        for (int i = 0; i < probs.length; i++) {
            cumulative += probs[order[i]];
            if (cumulative >= target) {
                n = i + 1;
                break;
            }
        }
        n = Math.min(Math.max(n, min), Math.min(max, probs.length));
        return TopK.first(probs, order, n, gating);
    }

    @Override
    public String toString() {
        return "topp:" + RouteSpec.format(p) + (min != 1 ? ",min=" + min : "") + (max != Integer.MAX_VALUE ? ",max=" + max : "");
    }
}
