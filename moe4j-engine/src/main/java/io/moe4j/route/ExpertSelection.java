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
        this(experts, weights, true);
    }

    /** With {@code copy}, keeps copies of the arrays; without, the arrays themselves. */
    private ExpertSelection(int[] experts, float[] weights, boolean copy) {
        if (experts.length != weights.length) {
            throw new IllegalArgumentException("experts and weights differ in length");
        }
        this.experts = copy ? experts.clone() : experts;
        this.weights = copy ? weights.clone() : weights;
    }

    /**
     * A selection that takes the arrays as they are, for a caller that made them for it and keeps no reference: a
     * decode step routes every token in every layer, and copies would double what it allocates.
     */
    static ExpertSelection adopt(int[] experts, float[] weights) {
        return new ExpertSelection(experts, weights, false);
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
