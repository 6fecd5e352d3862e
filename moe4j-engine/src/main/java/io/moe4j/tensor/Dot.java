package io.moe4j.tensor;

/** The scalar float dot kernel shared by all formats. */
final class Dot {
    private Dot() {
    }

    /**
     * {@code sum a[i]*b[i]} over four interleaved partial sums: a single running sum would serialise on the
     * floating-point add latency, which the JIT may not reorder away.
     */
    static float dot(float[] a, int aOffset, float[] b, int bOffset, int n) {
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            s0 += a[aOffset + i] * b[bOffset + i];
            s1 += a[aOffset + i + 1] * b[bOffset + i + 1];
            s2 += a[aOffset + i + 2] * b[bOffset + i + 2];
            s3 += a[aOffset + i + 3] * b[bOffset + i + 3];
        }
        for (; i < n; i++) {
            s0 += a[aOffset + i] * b[bOffset + i];
        }
        return (s0 + s1) + (s2 + s3);
    }
}
