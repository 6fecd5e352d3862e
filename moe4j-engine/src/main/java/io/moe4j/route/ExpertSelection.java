package io.moe4j.route;

import java.util.Arrays;

/**
 * The experts one token is sent to in one layer, and the weight each expert's output gets.
 * Arrays are owned by this record: callers receive copies.
 */
public record ExpertSelection(int[] experts, float[] weights) {

    public ExpertSelection {
        if (experts.length != weights.length) {
            throw new IllegalArgumentException("experts and weights differ in length");
        }
        experts = experts.clone();
        weights = weights.clone();
    }

    @Override
    public int[] experts() {
        return experts.clone();
    }

    @Override
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
