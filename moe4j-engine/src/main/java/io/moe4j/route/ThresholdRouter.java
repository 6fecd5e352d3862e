package io.moe4j.route;

/**
 * {@code threshold:T[,k=K]}: of the top-K candidates (K defaults to the model's own k), drops every expert
 * whose renormalised weight (its probability over the candidates' total) is below T, always keeping the
 * most probable one. A training-free version of null experts and AdaMoE, and of MC-MoE's online dynamic
 * pruning: confident tokens use fewer experts, uncertain ones keep them all.
 */
public final class ThresholdRouter extends PerTokenRouter {
    private final double threshold;
    private final int k;

    /** @param k candidates considered; 0 for the model's own k */
    public ThresholdRouter(double threshold, int k) {
        if (!(threshold >= 0 && threshold < 1)) {
            throw new IllegalArgumentException("T must be in [0, 1), got " + threshold);
        }
        if (k < 0) {
            throw new IllegalArgumentException("k must be at least 1, got " + k);
        }
        this.threshold = threshold;
        this.k = k;
    }

    @Override
    ExpertSelection select(int layer, float[] probs, int[] order, Gating gating) {
        int candidates = Math.min(k == 0 ? gating.expertsPerToken() : k, probs.length);
        double total = 0;
        for (int i = 0; i < candidates; i++) {
            total += probs[order[i]];
        }
        int n = 1;
        // candidates are in descending order, so the kept ones are a prefix
        while (n < candidates && probs[order[n]] >= threshold * total) {
            n++;
        }
        return TopK.first(probs, order, n, gating);
    }

    @Override
    public String toString() {
        return "threshold:" + RouteSpec.format(threshold) + (k != 0 ? ",k=" + k : "");
    }
}
