package io.moe4j.route;

import java.util.Arrays;

/**
 * Counts expert evaluations as the model routes: the cost side of a routing policy. One evaluation is
 * one token through one routed expert (shared experts are not counted: every policy pays for them).
 */
public final class RoutingStats implements RoutingListener {
    private long[] evaluations = new long[0];
    private long[] tokens = new long[0];

    @Override
    public synchronized void onRouting(int layer, int[] positions, float[][] logits, ExpertSelection[] selections) {
        if (layer >= tokens.length) {
            evaluations = Arrays.copyOf(evaluations, layer + 1);
            tokens = Arrays.copyOf(tokens, layer + 1);
        }
        for (ExpertSelection s : selections) {
            evaluations[layer] += s.count();
        }
        tokens[layer] += selections.length;
    }

    /** Mean experts evaluated per token per MoE layer, over everything routed so far (0 before anything). */
    public synchronized double expertsPerToken() {
        long e = 0;
        long t = 0;
        for (int l = 0; l < tokens.length; l++) {
            e += evaluations[l];
            t += tokens[l];
        }
        return t == 0 ? 0 : (double) e / t;
    }

    /** Mean experts evaluated per token in one layer (0 if the layer routed nothing). */
    public synchronized double expertsPerToken(int layer) {
        return layer >= tokens.length || tokens[layer] == 0 ? 0 : (double) evaluations[layer] / tokens[layer];
    }

    public synchronized long evaluations() {
        return Arrays.stream(evaluations).sum();
    }
}
