package io.moe4j.route;

/** Top-k selection by gate probability; ties go to the lower expert index, as a stable sort gives. */
public final class TopK {
    private TopK() {
    }

    public static ExpertSelection[] select(float[][] logits, Gating gating, int k) {
        ExpertSelection[] out = new ExpertSelection[logits.length];
        float[] probs = new float[gating.expertCount()];
        for (int t = 0; t < logits.length; t++) {
            gating.probabilities(logits[t], probs);
            out[t] = select(probs, gating, k);
        }
        return out;
    }

    /** The k most probable experts of one token, weighted as the gating prescribes. */
    public static ExpertSelection select(float[] probs, Gating gating, int k) {
        return first(probs, descending(probs), Math.min(k, probs.length), gating);
    }

    /** The first {@code n} experts of {@code order}, weighted as the gating prescribes. */
    public static ExpertSelection first(float[] probs, int[] order, int n, Gating gating) {
        int[] experts = new int[n];
        float[] chosen = new float[n];
        for (int i = 0; i < n; i++) {
            experts[i] = order[i];
            chosen[i] = probs[order[i]];
        }
        return new ExpertSelection(experts, gating.finalWeights(chosen));
    }

    /** Expert indices sorted by descending probability, lower index first among equals. */
    public static int[] descending(float[] probs) {
        int n = probs.length;
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        // insertion sort: expert counts are small (8 to 256) and it is stable
        for (int i = 1; i < n; i++) {
            int e = order[i];
            float p = probs[e];
            int j = i - 1;
            while (j >= 0 && probs[order[j]] < p) {
                order[j + 1] = order[j];
                j--;
            }
            order[j + 1] = e;
        }
        return order;
    }
}
