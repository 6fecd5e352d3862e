package io.moe4j.tensor;

import io.moe4j.gguf.GgmlType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link BlockFormat#dot} is the sum of the dequantized weights times x, up to float rounding. */
class DotTest {
    static final List<GgmlType> TYPES = TestData.TYPES;

    @ParameterizedTest
    @FieldSource("TYPES")
    void dotOfOneBlockMatchesDequantizedSum(GgmlType type) {
        checkDot(type, type.isQuantized() ? 1 : 7, new Random(7 + type.ordinal()));
    }

    @ParameterizedTest
    @FieldSource("TYPES")
    void dotOfManyBlocksMatchesDequantizedSum(GgmlType type) {
        checkDot(type, type.blockSize() == 256 ? 23 : 301, new Random(70 + type.ordinal()));
    }

    /** Four rows at a time must give exactly what four single-row products give, on codes and on plain values. */
    @ParameterizedTest
    @FieldSource("TYPES")
    void fourRowsAtATimeEqualFourDotsBitForBit(GgmlType type) {
        Random rnd = new Random(170 + type.ordinal());
        BlockFormat format = BlockFormats.of(type);
        ActivationFormat activations = ActivationFormat.forWeights(type);
        for (int blocks : new int[] {1, 8, 37}) {
            int count = blocks * type.blockSize();
            long rowBytes = type.byteSize(count);
            byte[] data = TestData.randomBlocks(type, 5 * blocks, rnd, () -> rnd.nextGaussian() * 0.02);
            MemorySegment seg = MemorySegment.ofArray(data);
            float[] x = TestData.gaussian(rnd, count, 1.0);
            float[] codes = new float[count + 2];
            float[] scales = activations.isBlockQuantized() ? new float[count / activations.blockSize() + 1] : null;
            if (scales != null) {
                activations.quantize(x, 0, codes, 2, scales, 1, count);
            } else {
                System.arraycopy(x, 0, codes, 2, count);
            }
            float[] four = new float[6];
            format.dot4(seg, rowBytes, rowBytes, codes, 2, scales, 1, count, four, 1);
            float[] plain = new float[6];
            format.dot4(seg, rowBytes, rowBytes, codes, 2, null, 0, count, plain, 2);
            for (int i = 0; i < 4; i++) {
                long row = rowBytes * (i + 1);
                assertThat(Float.floatToIntBits(four[1 + i])).as("%s, %d blocks, row %d, codes", type, blocks, i)
                        .isEqualTo(Float.floatToIntBits(format.dot(seg, row, codes, 2, scales, 1, count)));
                assertThat(Float.floatToIntBits(plain[2 + i])).as("%s, %d blocks, row %d, plain", type, blocks, i)
                        .isEqualTo(Float.floatToIntBits(format.dot(seg, row, codes, 2, null, 0, count)));
            }
        }
    }

    private static void checkDot(GgmlType type, int blocks, Random rnd) {
        byte[] data = TestData.randomBlocks(type, blocks, rnd, () -> rnd.nextGaussian() * 0.02);
        int count = blocks * type.blockSize();
        int byteOffset = 5;
        byte[] padded = new byte[data.length + byteOffset];
        System.arraycopy(data, 0, padded, byteOffset, data.length);
        MemorySegment seg = MemorySegment.ofArray(padded);
        int xOffset = 3;
        float[] x = TestData.gaussian(rnd, count + xOffset, 1.0);

        BlockFormat format = BlockFormats.of(type);
        float[] w = new float[count];
        format.dequantize(seg, byteOffset, w, 0, count);
        double exact = 0;
        double magnitude = 0;
        for (int i = 0; i < count; i++) {
            exact += (double) w[i] * x[xOffset + i];
            magnitude += Math.abs((double) w[i] * x[xOffset + i]);
        }
        float dot = format.dot(seg, byteOffset, x, xOffset, count);
        assertThat(magnitude).as("test data must not be all zero").isGreaterThan(0);
        assertThat((double) dot).as("%s dot over %d values", type, count)
                .isCloseTo(exact, org.assertj.core.data.Offset.offset(1e-5 * magnitude + 1e-30));
    }

    @Test
    void dotIsSafeToCallFromManyThreads() throws Exception {
        Random rnd = new Random(5);
        GgmlType type = GgmlType.Q4_K;
        int rows = 64;
        int cols = 1024;
        byte[] data = TestData.randomBlocks(type, rows * cols / 256, rnd, () -> rnd.nextGaussian() * 0.02);
        WeightMatrix m = new WeightMatrix("w", BlockFormats.of(type), MemorySegment.ofArray(data), 0, rows, cols);
        float[] x = TestData.gaussian(rnd, cols, 1.0);
        float[] expected = new float[rows];
        m.matVec(x, 0, expected, 0, 0, rows);

        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<float[]>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                results.add(pool.submit(() -> {
                    float[] out = new float[rows];
                    for (int rep = 0; rep < 20; rep++) {
                        m.matVec(x, 0, out, 0, 0, rows);
                    }
                    return out;
                }));
            }
            for (Future<float[]> f : results) {
                assertThat(f.get()).containsExactly(expected);
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void matrixRowsDotTheirOwnDequantizedRows() {
        Random rnd = new Random(11);
        GgmlType type = GgmlType.Q6_K;
        int rows = 5;
        int cols = 512;
        byte[] data = TestData.randomBlocks(type, rows * cols / 256, rnd, () -> rnd.nextGaussian() * 0.02);
        WeightMatrix m = new WeightMatrix("w", BlockFormats.of(type), MemorySegment.ofArray(data), 0, rows, cols);
        float[] x = TestData.gaussian(rnd, cols, 1.0);
        float[] out = new float[rows];
        m.matVec(x, 0, out, 0, 0, rows);
        float[] row = new float[cols];
        for (int r = 0; r < rows; r++) {
            m.dequantizeRow(r, row, 0);
            double exact = 0;
            for (int i = 0; i < cols; i++) {
                exact += (double) row[i] * x[i];
            }
            assertThat((double) out[r]).isCloseTo(exact, org.assertj.core.data.Offset.offset(1e-3 * Math.abs(exact) + 1e-4));
        }
    }
}
