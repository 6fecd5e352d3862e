package io.moe4j.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Gate scores for hand-computed cases: scores ln(p) make a softmax gate give back p. */
final class Gates {
    private Gates() {
    }

    static float[][] logitsOf(double[]... probabilities) {
        float[][] out = new float[probabilities.length][];
        for (int t = 0; t < probabilities.length; t++) {
            out[t] = new float[probabilities[t].length];
            for (int e = 0; e < out[t].length; e++) {
                out[t][e] = (float) Math.log(probabilities[t][e]);
            }
        }
        return out;
    }

    static Gating softmax(int experts, int k) {
        return new Gating(Gating.Function.SOFTMAX, experts, k, true);
    }

    static Gating softmaxNotRenormalised(int experts, int k) {
        return new Gating(Gating.Function.SOFTMAX, experts, k, false);
    }

    static void assertSelection(ExpertSelection s, int[] experts, double... weights) {
        assertThat(s.experts()).as("experts of " + s).containsExactly(experts);
        assertThat(s.count()).isEqualTo(weights.length);
        for (int i = 0; i < weights.length; i++) {
            assertThat((double) s.weight(i)).as("weight " + i + " of " + s).isCloseTo(weights[i], within(1e-6));
        }
    }

    static int[] experts(int... e) {
        return e;
    }
}
