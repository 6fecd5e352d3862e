package io.moe4j.tensor;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The float kernels against scalar double-precision references, for lengths on and off the vector width. */
class VectorMathTest {
    private static final int[] LENGTHS = {1, 7, Lanes.LENGTH, Lanes.LENGTH + 1, 2 * Lanes.LENGTH - 1, 96, 257, 1000};

    @Test
    void dotMatchesScalar() {
        Random rnd = new Random(1);
        for (int n : LENGTHS) {
            float[] a = TestData.gaussian(rnd, n + 2, 1.0);
            float[] b = TestData.gaussian(rnd, n + 5, 1.0);
            double exact = 0;
            double magnitude = 0;
            for (int i = 0; i < n; i++) {
                exact += (double) a[2 + i] * b[5 + i];
                magnitude += Math.abs((double) a[2 + i] * b[5 + i]);
            }
            assertThat((double) VectorMath.dot(a, 2, b, 5, n)).as("n=%d", n).isCloseTo(exact, within(1e-6 * magnitude));
        }
    }

    /**
     * Against ggml's own order (each float square added to a double one after the other): the same scale for every
     * input here, so the same outputs bit for bit, at offsets and lengths on and off the vector width.
     */
    @Test
    void rmsNormMatchesGgmlSequentialSum() {
        Random rnd = new Random(3);
        for (int n : new int[] {1, 7, Lanes.LENGTH, Lanes.LENGTH + 1, 2 * Lanes.LENGTH - 1, 96, 257, 1000, 2048, 4096}) {
            for (int trial = 0; trial < 20; trial++) {
                float[] x = TestData.gaussian(rnd, n + 3, 1 + 100 * rnd.nextDouble());
                float[] weight = TestData.gaussian(rnd, n, 1.0);
                float eps = 1e-6f;
                double sum = 0;
                for (int i = 0; i < n; i++) {
                    sum += x[3 + i] * x[3 + i];
                }
                float scale = (float) (1.0 / Math.sqrt((float) (sum / n) + eps));
                float[] expected = new float[n + 1];
                for (int i = 0; i < n; i++) {
                    expected[1 + i] = x[3 + i] * scale * weight[i];
                }
                float[] out = new float[n + 1];
                VectorMath.rmsNorm(x, 3, weight, eps, out, 1, n);
                assertThat(out).as("n=%d", n).containsExactly(expected);
            }
        }
    }

    @Test
    void scoresOverKeysInBlocksMatchAScalarDotPerKey() {
        Random rnd = new Random(11);
        for (int n : LENGTHS) {
            for (int count : new int[] {1, 37, 2 * VectorMath.KEY_BLOCK}) {
                float[] query = TestData.gaussian(rnd, n + 3, 1.0);
                float[][] rows = new float[count][];
                int blocks = VectorMath.wholeKeyBlocks(count) / VectorMath.KEY_BLOCK;
                float[] keys = new float[5 + blocks * VectorMath.KEY_BLOCK * n];
                for (int p = 0; p < count; p++) {
                    rows[p] = TestData.gaussian(rnd, n, 1.0);
                    for (int d = 0; d < n; d++) {
                        int block = p / VectorMath.KEY_BLOCK;
                        keys[5 + block * VectorMath.KEY_BLOCK * n + d * VectorMath.KEY_BLOCK + p % VectorMath.KEY_BLOCK] = rows[p][d];
                    }
                }
                float[] scores = new float[VectorMath.wholeKeyBlocks(count)];
                VectorMath.blockDots(query, 3, keys, 5, n, count, 0.125f, scores, new float[VectorMath.BLOCK_DOTS_SCRATCH]);
                for (int p = 0; p < count; p++) {
                    double exact = 0;
                    double magnitude = 0;
                    for (int d = 0; d < n; d++) {
                        exact += (double) query[3 + d] * rows[p][d];
                        magnitude += Math.abs((double) query[3 + d] * rows[p][d]);
                    }
                    assertThat((double) scores[p]).as("n=%d count=%d key %d", n, count, p)
                            .isCloseTo(0.125 * exact, within(0.125 * 1e-6 * magnitude));
                }
            }
        }
    }

    /**
     * Bit for bit the sum of llama.cpp's F16 dot product on AVX-512, written out in scalars from its description:
     * 16-lane accumulators j = 0..3 over steps of 64 elements, (j0 + j2) + (j1 + j3), the lanes reduced as
     * _mm512_reduce_add_ps does, the rest added in double.
     */
    @Test
    void scoresSumHalfValuesInLlamaCppsOrder() {
        Random rnd = new Random(13);
        for (int n : new int[] {16, 32, 64, 80, 128, 192}) {
            int count = 21;
            float[] query = new float[n];
            float[][] rows = new float[count][n];
            int blocks = VectorMath.wholeKeyBlocks(count) / VectorMath.KEY_BLOCK;
            float[] keys = new float[blocks * VectorMath.KEY_BLOCK * n];
            for (int d = 0; d < n; d++) {
                query[d] = VectorMath.toHalf((float) rnd.nextGaussian());
            }
            for (int p = 0; p < count; p++) {
                for (int d = 0; d < n; d++) {
                    rows[p][d] = VectorMath.toHalf((float) rnd.nextGaussian() * 3);
                    keys[(p / VectorMath.KEY_BLOCK) * VectorMath.KEY_BLOCK * n + d * VectorMath.KEY_BLOCK + p % VectorMath.KEY_BLOCK] = rows[p][d];
                }
            }
            float[] scores = new float[VectorMath.wholeKeyBlocks(count)];
            VectorMath.blockDots(query, 0, keys, 0, n, count, 0.125f, scores, new float[VectorMath.BLOCK_DOTS_SCRATCH]);
            for (int p = 0; p < count; p++) {
                assertThat(scores[p]).as("n=%d key %d", n, p).isEqualTo(ggmlDotF16(query, rows[p], n) * 0.125f);
            }
        }
    }

    private static float ggmlDotF16(float[] x, float[] y, int n) {
        int whole = n / 64 * 64;
        float[][] acc = new float[4][16];
        for (int i = 0; i < whole; i += 64) {
            for (int j = 0; j < 4; j++) {
                for (int l = 0; l < 16; l++) {
                    acc[j][l] = Math.fma(x[i + 16 * j + l], y[i + 16 * j + l], acc[j][l]);
                }
            }
        }
        float[] lanes = new float[16];
        for (int l = 0; l < 16; l++) {
            lanes[l] = (acc[0][l] + acc[2][l]) + (acc[1][l] + acc[3][l]);
        }
        for (int width = 8; width >= 1; width /= 2) {
            for (int l = 0; l < width; l++) {
                lanes[l] += lanes[l + width];
            }
        }
        double sum = whole > 0 ? lanes[0] : 0.0;
        for (int i = whole; i < n; i++) {
            sum += x[i] * y[i];
        }
        return (float) sum;
    }

    /** A key's elements rounded to F16 into its lane of a block of keys, each as the JDK rounds it, nothing else written. */
    @Test
    void keysStoredInBlocksAreRoundedToHalfInTheirLane() {
        Random rnd = new Random(5);
        for (int n : new int[] {1, 15, 16, 17, 64, 100, 128}) {
            float[] key = new float[n + 3];
            for (int i = 0; i < key.length; i++) {
                // normal, subnormal (below 2^-14) and zero halves, both signs
                key[i] = switch (i % 4) {
                    case 0 -> (float) rnd.nextGaussian() * 4f;
                    case 1 -> (float) rnd.nextGaussian() * 1e-6f;
                    case 2 -> -0f;
                    default -> (float) rnd.nextGaussian() * 1000f;
                };
            }
            int lane = rnd.nextInt(VectorMath.KEY_BLOCK);
            float[] block = new float[5 + n * VectorMath.KEY_BLOCK];
            Arrays.fill(block, Float.NaN);
            VectorMath.storeKeyHalves(key, 3, block, 5 + lane, n);
            for (int i = 0; i < block.length; i++) {
                int at = i - 5 - lane;
                if (at >= 0 && at % VectorMath.KEY_BLOCK == 0 && at / VectorMath.KEY_BLOCK < n) {
                    float expected = Float.float16ToFloat(Float.floatToFloat16(key[3 + at / VectorMath.KEY_BLOCK]));
                    assertThat(Float.floatToRawIntBits(block[i])).as("n %d, element %d", n, at / VectorMath.KEY_BLOCK)
                            .isEqualTo(Float.floatToRawIntBits(expected));
                } else {
                    assertThat(block[i]).as("n %d, untouched index %d", n, i).isNaN();
                }
            }
        }
    }

    @Test
    void exponentialsOfWholeVectorsAreWithinAnUlpWhereverTheyFall() {
        Random rnd = new Random(12);
        for (int n : LENGTHS) {
            float[] x = new float[VectorMath.wholeVectors(n)];
            for (int i = 0; i < n; i++) {
                x[i] = (float) (-30 * rnd.nextDouble());
            }
            x[0] = Float.NEGATIVE_INFINITY; // an online softmax's first rescaling, of an empty accumulator
            float[] e = new float[x.length];
            VectorMath.expOfWhole(x, e, n);
            assertThat(e[0]).isZero();
            for (int i = 1; i < n; i++) {
                double exact = Math.exp(x[i]);
                assertThat((double) e[i]).as("n=%d exp(%s)", n, x[i]).isCloseTo(exact, within(Math.ulp((float) exact) * 1.0));
            }
            // the same value computed at another place in a vector comes out the same
            float[] shifted = new float[VectorMath.wholeVectors(n + 1)];
            System.arraycopy(x, 0, shifted, 1, n);
            float[] e2 = new float[shifted.length];
            VectorMath.expOfWhole(shifted, e2, n + 1);
            for (int i = 0; i < n; i++) {
                assertThat(e2[i + 1]).as("n=%d, value %d moved by one lane", n, i).isEqualTo(e[i]);
            }
        }
    }

    @Test
    void rowBlockProductsMatchScalar() {
        Random rnd = new Random(4);
        for (int n : LENGTHS) {
            float[] rows = TestData.gaussian(rnd, 4 * n, 1.0);
            float[][] x = new float[4][];
            for (int j = 0; j < 4; j++) {
                x[j] = TestData.gaussian(rnd, n, 1.0);
            }
            float[] quad = new float[16 * Lanes.LENGTH];
            VectorMath.dot4x4(rows, n, x[0], x[1], x[2], x[3], quad);
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 4; j++) {
                    double exact = 0;
                    double magnitude = 0;
                    for (int k = 0; k < n; k++) {
                        exact += (double) rows[i * n + k] * x[j][k];
                        magnitude += Math.abs((double) rows[i * n + k] * x[j][k]);
                    }
                    assertThat((double) quad[4 * i + j]).as("n=%d row %d x%d", n, i, j).isCloseTo(exact, within(1e-6 * magnitude));
                }
            }
        }
    }

    @Test
    void panelProductsMatchScalar() {
        Random rnd = new Random(2);
        int rows = 2 * Lanes.LENGTH;
        for (int cols : new int[] {1, 5, 64, 300}) {
            float[] panel = TestData.gaussian(rnd, rows * cols, 1.0);
            float[][] x = new float[4][];
            for (int j = 0; j < 4; j++) {
                x[j] = TestData.gaussian(rnd, cols, 1.0);
            }
            float[][] out4 = new float[4][rows + 3];
            // two halves of the columns, the second accumulated onto the first, as Matmul slices them
            int half = cols / 2;
            float[] upper = java.util.Arrays.copyOfRange(panel, half * rows, cols * rows);
            VectorMath.panelTimes4(panel, half, x[0], x[1], x[2], x[3], 0, out4[0], out4[1], out4[2], out4[3], 3, false);
            VectorMath.panelTimes4(upper, cols - half, x[0], x[1], x[2], x[3], half, out4[0], out4[1], out4[2], out4[3], 3, true);
            float[] out1 = new float[rows];
            VectorMath.panelTimes1(panel, half, x[2], 0, out1, 0, false);
            VectorMath.panelTimes1(upper, cols - half, x[2], half, out1, 0, true);
            for (int j = 0; j < 4; j++) {
                for (int i = 0; i < rows; i++) {
                    double exact = 0;
                    double magnitude = 0;
                    for (int k = 0; k < cols; k++) {
                        exact += (double) panel[k * rows + i] * x[j][k];
                        magnitude += Math.abs((double) panel[k * rows + i] * x[j][k]);
                    }
                    assertThat((double) out4[j][3 + i]).as("cols=%d x%d row %d", cols, j, i).isCloseTo(exact, within(1e-6 * magnitude));
                    if (j == 2) {
                        assertThat(out1[i]).isEqualTo(out4[2][3 + i]);
                    }
                }
            }
        }
    }

    @Test
    void siluGateMatchesDoublePrecision() {
        Random rnd = new Random(5);
        for (int n : LENGTHS) {
            float[] gate = TestData.gaussian(rnd, n, 6.0);
            float[] up = TestData.gaussian(rnd, n, 2.0);
            gate[0] = -200f; // exp overflows to infinity: silu is -0, not NaN
            gate[n - 1] = 200f;
            float[] expected = new float[n];
            for (int i = 0; i < n; i++) {
                expected[i] = (float) (gate[i] / (1 + Math.exp(-(double) gate[i])) * up[i]);
            }
            // the gate's outputs, then the up projection's, in one row
            float[] row = new float[2 * n];
            System.arraycopy(gate, 0, row, 0, n);
            System.arraycopy(up, 0, row, n, n);
            VectorMath.siluGate(row, n);
            assertThat(Arrays.copyOfRange(row, n, 2 * n)).as("the up half is left alone").containsExactly(up);
            for (int i = 0; i < n; i++) {
                assertThat(row[i]).as("n=%d i=%d", n, i).isCloseTo(expected[i], within(1e-6f * (1 + Math.abs(expected[i]))));
            }
        }
    }

    @Test
    void logSumExpMatchesDoublePrecision() {
        Random rnd = new Random(3);
        for (int n : LENGTHS) {
            float[] x = TestData.gaussian(rnd, n, 8.0);
            x[n / 2] += 80f; // a dominant term: the shift by the maximum must keep exp from overflowing
            double max = Double.NEGATIVE_INFINITY;
            for (float v : x) {
                max = Math.max(max, v);
            }
            double sum = 0;
            for (float v : x) {
                sum += Math.exp(v - max);
            }
            assertThat(VectorMath.logSumExp(x)).as("n=%d", n).isCloseTo(max + Math.log(sum), within(1e-5));
        }
    }

    @Test
    void laneSumIsTheSameInterpretedAndCompiled() {
        // The fixed pairwise order is what makes results independent of the JIT: check it adds every lane,
        // and that repeated calls (which get compiled along the way) keep returning the same bits.
        float[] v = TestData.gaussian(new Random(4), Lanes.LENGTH, 1e3);
        FloatVector vector = FloatVector.fromArray(Lanes.FLOATS, v, 0);
        float first = Lanes.sum(vector);
        double exact = 0;
        for (float f : v) {
            exact += f;
        }
        assertThat((double) first).isCloseTo(exact, within(1e-3));
        for (int i = 0; i < 200_000; i++) {
            assertThat(Float.floatToRawIntBits(Lanes.sum(vector))).isEqualTo(Float.floatToRawIntBits(first));
        }
    }
}
