package io.moe4j.route;

/** Top-k selection by gate probability; ties go to the lower expert index, as a stable sort gives. */
public final class TopK {
    private TopK() {
    }

    /** One token's probabilities and ranking, reused by the thread: native routing runs for every token in every layer. */
    private static final class Scratch {
        float[] probs = new float[0];
        int[] order = new int[0];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    public static ExpertSelection[] select(float[][] logits, Gating gating, int k) {
        ExpertSelection[] out = new ExpertSelection[logits.length];
        Scratch scratch = SCRATCH.get();
        if (scratch.probs.length != gating.expertCount()) {
            scratch.probs = new float[gating.expertCount()];
            scratch.order = new int[gating.expertCount()];
        }
        float[] probs = scratch.probs;
        int[] order = scratch.order;
        int n = Math.min(k, probs.length);
        for (int t = 0; t < logits.length; t++) {
            gating.probabilities(logits[t], probs);
            firstOfDescending(probs, order, n);
            out[t] = first(probs, order, n, gating);
        }
        return out;
    }

    /**
     * The first {@code n} expert indices by descending probability, lower index first among equals, into
     * {@code order[0..n)}: a stable insertion sort that keeps only what lands among the first n, so that routing a
     * token costs O(experts · n) rather than O(experts²) (a token's full sort of 32 experts was 2% of a
     * tiny-code-moe prefill, all on the calling thread). With {@code n} = the expert count, the whole order.
     */
    static void firstOfDescending(float[] probs, int[] order, int n) {
        if (n == 0) {
            return;
        }
        int kept = 0;
        for (int e = 0; e < probs.length; e++) {
            float p = probs[e];
            int j = kept - 1;
            if (kept == n) {
                // it lands past the first n unless it beats the last of them; a NaN there (which compares false both
                // ways) is where the full sort stops every later expert, so none can enter the first n after it
                if (!(probs[order[n - 1]] < p)) {
                    if (Float.isNaN(p)) {
                        return;
                    }
                    continue;
                }
                j = n - 2;
            }
            while (j >= 0 && probs[order[j]] < p) {
                order[j + 1] = order[j];
                j--;
            }
            order[j + 1] = e;
            kept = Math.min(n, kept + 1);
        }
    }

    /** The k most probable experts of one token, weighted as the gating prescribes. */
    public static ExpertSelection select(float[] probs, Gating gating, int k) {
        return first(probs, descending(probs), Math.min(k, probs.length), gating);
    }

    /** The first {@code n} experts of {@code order}, weighted as the gating prescribes. */
    public static ExpertSelection first(float[] probs, int[] order, int n, Gating gating) {
        int[] experts = new int[n];
        float[] weights = new float[n];
        for (int i = 0; i < n; i++) {
            experts[i] = order[i];
            weights[i] = probs[order[i]];
        }
        gating.renormalize(weights);
        return ExpertSelection.adopt(experts, weights);
    }

    /** Expert indices sorted by descending probability, lower index first among equals. */
    public static int[] descending(float[] probs) {
        int[] order = new int[probs.length];
        firstOfDescending(probs, order, probs.length);
        return order;
    }
}
