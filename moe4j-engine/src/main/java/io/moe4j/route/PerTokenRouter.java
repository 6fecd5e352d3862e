package io.moe4j.route;

/**
 * A policy that decides each token on its own from its gate probabilities. The probabilities and their
 * descending order are computed once here so that policies only state which experts to keep.
 */
abstract class PerTokenRouter implements Router {

    @Override
    public final ExpertSelection[] route(int layer, float[][] logits, Gating gating) {
        ExpertSelection[] out = new ExpertSelection[logits.length];
        float[] probs = new float[gating.expertCount()];
        for (int t = 0; t < logits.length; t++) {
            gating.probabilities(logits[t], probs);
            out[t] = select(layer, probs, TopK.descending(probs), gating);
        }
        return out;
    }

    /**
     * @param probs the token's gate probabilities, one per expert
     * @param order expert indices by descending probability, lower index first among equals
     */
    abstract ExpertSelection select(int layer, float[] probs, int[] order, Gating gating);

    /** The sum of all probabilities: 1 for softmax gates, anything for sigmoid gates. */
    static double mass(float[] probs) {
        double sum = 0;
        for (float p : probs) {
            sum += p;
        }
        return sum;
    }
}
