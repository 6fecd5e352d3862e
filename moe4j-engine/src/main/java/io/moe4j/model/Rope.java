package io.moe4j.model;

/**
 * Rotary position embedding with ggml's arithmetic: the angle of pair i is
 * {@code pos * base^(-2i/d)}, computed in float by repeated multiplication as ggml does, so that
 * positions far into the context round the same way.
 */
public final class Rope {
    private final RopeType type;
    private final int dimensions;
    private final float thetaScale;

    public Rope(RopeType type, int dimensions, float freqBase) {
        if (dimensions % 2 != 0 || dimensions <= 0) {
            throw new IllegalArgumentException("rope dimensions must be even and positive, got " + dimensions);
        }
        this.type = type;
        this.dimensions = dimensions;
        this.thetaScale = (float) Math.pow(freqBase, -2.0 / dimensions);
    }

    /** Cosines and sines of the angles at {@code pos}: {@code table[2i]} = cos, {@code table[2i+1]} = sin. */
    public float[] angles(int pos) {
        float[] table = new float[dimensions];
        float theta = pos;
        for (int i = 0; i < dimensions; i += 2) {
            table[i] = (float) Math.cos(theta);
            table[i + 1] = (float) Math.sin(theta);
            theta *= thetaScale;
        }
        return table;
    }

    /** Rotates each of {@code heads} vectors of {@code headSize} values starting at {@code offset}. */
    public void apply(float[] x, int offset, int heads, int headSize, float[] angles) {
        int half = dimensions / 2;
        for (int h = 0; h < heads; h++) {
            int base = offset + h * headSize;
            for (int i = 0; i < half; i++) {
                float cos = angles[2 * i];
                float sin = angles[2 * i + 1];
                int a = type == RopeType.NORM ? base + 2 * i : base + i;
                int b = type == RopeType.NORM ? a + 1 : a + half;
                float x0 = x[a];
                float x1 = x[b];
                x[a] = x0 * cos - x1 * sin;
                x[b] = x0 * sin + x1 * cos;
            }
        }
    }
}
