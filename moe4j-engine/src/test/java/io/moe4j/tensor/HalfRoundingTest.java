package io.moe4j.tensor;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The vectorised half-precision rounding against the JDK's scalar conversion, bit for bit. */
class HalfRoundingTest {

    @Test
    void vectorRoundingEqualsJdkConversionAcrossTheHalfRange() {
        SplittableRandom random = new SplittableRandom(3);
        float[] x = new float[1 << 16];
        for (int i = 0; i < x.length; i++) {
            int exponent = random.nextInt(-30, 16); // subnormals, normals, up to 2^15
            x[i] = (float) ((random.nextDouble() * 2 - 1) * Math.scalb(1.0, exponent));
        }
        // exact ties between two halves, which must go to even
        for (int i = 0; i < 1024; i++) {
            short h = (short) random.nextInt(0x7BFF);
            x[i] = Float.intBitsToFloat(Float.floatToIntBits(Float.float16ToFloat(h)) + (1 << 12));
        }
        x[1024] = 0f;
        x[1025] = -0f;
        x[1026] = 65504f;
        x[1027] = 0x1p-14f;
        x[1028] = 0x1p-25f;
        float[] out = new float[x.length + 3];
        VectorMath.roundToHalf(x, 0, out, 3, x.length);
        for (int i = 0; i < x.length; i++) {
            float expected = Float.float16ToFloat(Float.floatToFloat16(x[i]));
            assertThat(Float.floatToIntBits(out[3 + i])).as("x=%s (%a)", x[i], x[i]).isEqualTo(Float.floatToIntBits(expected));
        }
    }

    /**
     * Every float of magnitude up to F16's largest, 65504, of both signs (2.4 billion; about 5 s with 512-bit vectors):
     * the rounder's maximum is taken on its bits, which must order as the floats do wherever it is used.
     */
    @Test
    void vectorRoundingEqualsJdkConversionForEveryFloatUpToTheHalfRange() {
        int last = Float.floatToIntBits(65504f);
        float[] x = new float[1 << 20];
        float[] out = new float[x.length];
        long differing = 0;
        int firstDiffering = 0;
        for (int sign = 0; sign < 2; sign++) {
            for (long start = 0; start <= last; start += x.length) {
                int n = (int) Math.min(x.length, last + 1L - start);
                for (int i = 0; i < n; i++) {
                    x[i] = Float.intBitsToFloat((sign << 31) | (int) (start + i));
                }
                VectorMath.roundToHalf(x, 0, out, 0, n);
                for (int i = 0; i < n; i++) {
                    if (Float.floatToIntBits(out[i]) != Float.floatToIntBits(Float.float16ToFloat(Float.floatToFloat16(x[i])))) {
                        firstDiffering = differing++ == 0 ? Float.floatToIntBits(x[i]) : firstDiffering;
                    }
                }
            }
        }
        assertThat(differing).as("floats rounded otherwise than by the JDK, the first %a", Float.intBitsToFloat(firstDiffering))
                .isZero();
    }

    /** Every float of the binades where the rounding changes kind: F16's subnormals, its least normals, its top. */
    @Test
    void vectorRoundingEqualsJdkConversionForEveryFloatOfTheBoundaryBinades() {
        float[] x = new float[1 << 16];
        float[] out = new float[x.length];
        for (int exponent : new int[] {-25, -15, -14, 15}) {
            for (int sign = 0; sign < 2; sign++) {
                int first = (sign << 31) | ((exponent + 127) << 23);
                for (int chunk = 0; chunk < (1 << 23); chunk += x.length) {
                    for (int i = 0; i < x.length; i++) {
                        x[i] = Float.intBitsToFloat(first + chunk + i);
                    }
                    VectorMath.roundToHalf(x, 0, out, 0, x.length);
                    for (int i = 0; i < x.length; i++) {
                        int expected = Float.floatToIntBits(Float.float16ToFloat(Float.floatToFloat16(x[i])));
                        if (Float.floatToIntBits(out[i]) != expected && Math.abs(x[i]) <= 65504f) {
                            assertThat(out[i]).as("x=%a", x[i]).isEqualTo(Float.intBitsToFloat(expected));
                        }
                    }
                }
            }
        }
    }

    @Test
    void halfAccumulatorUpdateRoundsTheFusedProductOnce() {
        float[] x = {1.0009766f, 3f, -7.5f, 1e-6f, 0.3f, 2f, 5f, 6f, 7f, 8f, 9f, 10f, 11f, 12f, 13f, 14f, 15f, 16f, 17f};
        float[] y = new float[x.length];
        float[] expected = new float[x.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = 0.1f * i;
            expected[i] = VectorMath.toHalf(Math.fma(x[i], 0.37f, y[i]));
        }
        VectorMath.axpyHalf(0.37f, x, 0, y, 0, y.length);
        assertThat(y).containsExactly(expected);
    }
    @Test
    void pairedAccumulatorUpdatesEqualTwoSingleOnes() {
        java.util.Random rnd = new java.util.Random(8);
        for (int n : new int[] {1, 7, 16, 17, 64, 100, 128}) {
            float[] x = TestData.gaussian(rnd, n + 5, 1.0);
            float[] y = new float[n];
            float[] z = new float[n];
            for (int i = 0; i < n; i++) {
                y[i] = VectorMath.toHalf((float) rnd.nextGaussian());
                z[i] = VectorMath.toHalf((float) rnd.nextGaussian() * 1e-5f); // subnormal halves among them
            }
            float[] expectedY = y.clone();
            float[] expectedZ = z.clone();
            VectorMath.axpyHalf(0.37f, x, 5, expectedY, 0, n);
            VectorMath.axpyHalf(-2.5f, x, 5, expectedZ, 0, n);
            VectorMath.axpyHalfPair(0.37f, -2.5f, x, 5, y, z, n);
            assertThat(y).as("n=%d", n).containsExactly(expectedY);
            assertThat(z).as("n=%d", n).containsExactly(expectedZ);
        }
    }
}
