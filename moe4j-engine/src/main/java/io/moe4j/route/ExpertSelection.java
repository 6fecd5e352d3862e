package io.moe4j.route;

import java.util.Arrays;

/**
 * The experts one token is sent to in one layer, and the weight each expert's output gets.
 * Arrays are owned by this object: callers receive copies.
 */
public final class ExpertSelection {
    private final int[] experts;
    private final float[] weights;

    public ExpertSelection(int[] experts, float[] weights) {
        this(experts.clone(), weights.clone(), true);
    }

    /** Takes the arrays as they are (the flag only tells this constructor from the public one). */
    private ExpertSelection(int[] experts, float[] weights, boolean adopted) {
        if (experts.length != weights.length) {
            throw new IllegalArgumentException("experts and weights differ in length");
        }
        this.experts = experts;
        this.weights = weights;
    }

    /**
     * A selection that takes the arrays as they are, for a caller that made them for it and keeps no reference: a
     * decode step routes every token in every layer, and copies would double what it allocates.
     */
    static ExpertSelection adopt(int[] experts, float[] weights) {
        return new ExpertSelection(experts, weights, true);
    }

    public int[] experts() {
        return experts.clone();
    }

    public float[] weights() {
        return weights.clone();
    }

    public int count() {
        return experts.length;
    }

    public int expert(int i) {
        return experts[i];
    }

    public float weight(int i) {
        return weights[i];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExpertSelection s && Arrays.equals(s.experts, experts) && Arrays.equals(s.weights, weights);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(experts) * 31 + Arrays.hashCode(weights);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < experts.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(experts[i]).append('=').append(weights[i]);
        }
        return sb.append('}').toString();
    }
}
