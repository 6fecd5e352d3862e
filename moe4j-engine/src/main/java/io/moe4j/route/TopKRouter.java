package io.moe4j.route;

/** {@code topk:K}: the K most probable experts instead of the model's own k (all of them if K exceeds the count). */
public final class TopKRouter extends PerTokenRouter {
    private final int k;

    public TopKRouter(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("K must be at least 1, got " + k);
        }
        this.k = k;
    }

    @Override
    ExpertSelection select(int layer, float[] probs, int[] order, Gating gating) {
        return TopK.first(probs, order, Math.min(k, probs.length), gating);
    }

    @Override
    public String toString() {
        return "topk:" + k;
    }
}
