package io.moe4j.route;

/**
 * An architecture's native gating: how gate scores become probabilities, how many experts it picks,
 * and whether the chosen weights are renormalised to sum to one. Policies reuse these rules so that
 * their weights stay on the scale the model was trained with.
 */
public record Gating(Function function, int expertCount, int expertsPerToken, boolean normalizeChosen) {

    public enum Function {
        /** Softmax over all experts' scores (Mixtral, Qwen-MoE, OLMoE). */
        SOFTMAX,
        /** An independent sigmoid per expert (DeepSeek-V3 style). */
        SIGMOID
    }

    public Gating {
        if (expertCount < 1 || expertsPerToken < 1 || expertsPerToken > expertCount) {
            throw new IllegalArgumentException("bad gating: " + expertsPerToken + " of " + expertCount + " experts");
        }
    }

    /** Gate probabilities of one token, written to {@code out}. */
    public void probabilities(float[] logits, float[] out) {
        switch (function) {
            case SOFTMAX -> {
                float max = Float.NEGATIVE_INFINITY;
                for (float v : logits) {
                    max = Math.max(max, v);
                }
                double sum = 0;
                for (int i = 0; i < logits.length; i++) {
                    out[i] = (float) Math.exp(logits[i] - max);
                    sum += out[i];
                }
                float inv = (float) (1.0 / sum);
                for (int i = 0; i < logits.length; i++) {
                    out[i] *= inv;
                }
            }
            case SIGMOID -> {
                for (int i = 0; i < logits.length; i++) {
                    out[i] = 1f / (1f + (float) Math.exp(-logits[i]));
                }
            }
        }
    }

    /** Renormalises the chosen experts' probabilities {@code w}, in place, to their final weights if the model does so. */
    void renormalize(float[] w) {
        if (normalizeChosen) {
            double sum = 0;
            for (float v : w) {
                sum += v;
            }
            if (sum > 0) {
                for (int i = 0; i < w.length; i++) {
                    w[i] = (float) (w[i] / sum);
                }
            }
        }
    }
}
