package io.moe4j.route;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * {@code random:K[,seed=S]}: K experts drawn uniformly without replacement (THOR-style random routing),
 * an ablation that shows what the learned gate is worth. The chosen experts keep their gate
 * probabilities as weights, renormalised as the model does. The draw is seeded by the seed, the layer
 * and the token's gate scores, so a token gets the same experts whether it is routed in a prefill batch
 * or alone.
 */
public final class RandomRouter extends PerTokenRouter {
    private final int k;
    private final long seed;

    public RandomRouter(int k, long seed) {
        if (k < 1) {
            throw new IllegalArgumentException("K must be at least 1, got " + k);
        }
        this.k = k;
        this.seed = seed;
    }

    @Override
    ExpertSelection select(int layer, float[] probs, int[] order, Gating gating) {
        int n = Math.min(k, probs.length);
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + layer * 0xBF58476D1CE4E5B9L + Arrays.hashCode(probs));
        int[] pool = new int[probs.length];
        for (int i = 0; i < pool.length; i++) {
            pool[i] = i;
        }
        for (int i = 0; i < n; i++) {
            int j = i + random.nextInt(pool.length - i);
            int swap = pool[i];
            pool[i] = pool[j];
            pool[j] = swap;
        }
        int[] chosen = Arrays.copyOf(pool, n);
        // the same order as the other policies: most probable first
        int[] byProbability = new int[n];
        int m = 0;
        for (int e : order) {
            for (int c : chosen) {
                if (c == e) {
                    byProbability[m++] = e;
                }
            }
        }
        return TopK.first(probs, byProbability, n, gating);
    }

    @Override
    public String toString() {
        return "random:" + k + ",seed=" + seed;
    }
}
