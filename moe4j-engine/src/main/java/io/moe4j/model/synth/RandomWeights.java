package io.moe4j.model.synth;

/**
 * A fast source of roughly normal random weights. Each value is the centred sum of the four 16-bit fields
 * of one SplitMix64 output (an Irwin-Hall sum, bell-shaped and bounded at ±3.5σ): one multiply-xorshift
 * mix per value, so that gigabytes of weights are drawn in seconds. Statistical quality beyond "random
 * and of the right scale" does not matter for a model whose outputs mean nothing.
 */
final class RandomWeights {
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
    private static final float FIELD_SUM_MEAN = 4 * 32767.5f;
    /** Standard deviation of the sum of four uniform 16-bit values: 4 × 65536² / 12 under the root. */
    private static final float FIELD_SUM_STD = (float) Math.sqrt(4 * 65536.0 * 65536.0 / 12);

    private long state;

    /** A generator for one stream, identified by a seed and up to two indices (tensor, chunk). */
    RandomWeights(long seed, long stream, long substream) {
        this.state = mix(mix(seed ^ mix(stream + GOLDEN_GAMMA)) ^ mix(substream * GOLDEN_GAMMA + 1));
    }

    /** Fills {@code dst[0..count)} with values of mean 0 and standard deviation {@code std}. */
    void fill(float[] dst, int count, float std) {
        float scale = std / FIELD_SUM_STD;
        long s = state;
        for (int i = 0; i < count; i++) {
            s += GOLDEN_GAMMA;
            long z = mix(s);
            long sum = (z & 0xFFFF) + ((z >>> 16) & 0xFFFF) + ((z >>> 32) & 0xFFFF) + (z >>> 48);
            dst[i] = (sum - FIELD_SUM_MEAN) * scale;
        }
        state = s;
    }

    /** A uniform index in [0, bound), for a power-of-two {@code bound}. */
    int nextIndex(int bound) {
        state += GOLDEN_GAMMA;
        return (int) (mix(state) >>> 32) & (bound - 1);
    }

    /** SplitMix64's finaliser: a bijection that spreads every input bit over the whole output. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
