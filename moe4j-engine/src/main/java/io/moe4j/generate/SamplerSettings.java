package io.moe4j.generate;

/**
 * How the next token is drawn from the logits, with llama.cpp's meanings and defaults. A temperature
 * of 0 (or less) means greedy decoding.
 *
 * @param repeatPenalty    divides positive (multiplies negative) logits of recently seen tokens; 1 = off
 * @param repeatLastN      how many recent tokens the penalty looks at
 */
public record SamplerSettings(float temperature, int topK, float topP, float minP, float repeatPenalty, int repeatLastN, long seed) {

    public static final SamplerSettings DEFAULT = new SamplerSettings(0.8f, 40, 0.95f, 0.05f, 1.0f, 64, 42L);
    public static final SamplerSettings GREEDY = new SamplerSettings(0f, 0, 1f, 0f, 1.0f, 64, 0L);

    public SamplerSettings {
        if (Float.isNaN(temperature)) {
            throw new IllegalArgumentException("temperature must be a number");
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top-k must be 0 (off) or positive, got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
        }
        if (!(minP >= 0 && minP < 1)) {
            throw new IllegalArgumentException("min-p must be in [0, 1), got " + minP);
        }
        if (!(repeatPenalty > 0)) {
            throw new IllegalArgumentException("repeat penalty must be positive, got " + repeatPenalty);
        }
        if (repeatLastN < 0) {
            throw new IllegalArgumentException("repeat-last-n must not be negative, got " + repeatLastN);
        }
    }

    public boolean greedy() {
        return temperature <= 0;
    }
}
