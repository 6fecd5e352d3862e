package io.moe4j.jmh;

import io.moe4j.gguf.GgmlType;
import io.moe4j.tensor.BlockFormats;
import io.moe4j.tensor.BlockQuantizer;
import io.moe4j.tensor.WeightMatrix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

/** Random inputs for the benchmarks: weight matrices quantized into native memory, and activation batches. */
final class RandomMatrices {
    /** Values quantized per step, so that building a large matrix needs only a small float buffer. */
    private static final int STEP_VALUES = 1 << 20;

    private RandomMatrices() {
    }

    /**
     * A {@code rows} × {@code cols} matrix of {@code type} with normal weights of standard deviation 0.02,
     * in native memory of {@code arena} (as weights of a mapped model file are), 64-byte aligned; with
     * {@code repack}, decode products read a row-grouped copy where the type has one.
     */
    static WeightMatrix weights(Arena arena, GgmlType type, int rows, int cols, long seed, boolean repack) {
        BlockQuantizer quantizer = BlockFormats.quantizer(type);
        long rowBytes = type.byteSize(cols);
        MemorySegment data = arena.allocate(rowBytes * rows, 64);
        int rowsPerStep = Math.max(1, STEP_VALUES / cols);
        float[] values = new float[rowsPerStep * cols];
        SplittableRandom random = new SplittableRandom(seed);
        for (int row = 0; row < rows; row += rowsPerStep) {
            int n = Math.min(rowsPerStep, rows - row) * cols;
            for (int i = 0; i < n; i++) {
                values[i] = (float) (random.nextGaussian() * 0.02);
            }
            quantizer.quantize(values, 0, n, data, row * rowBytes);
        }
        return new WeightMatrix(type + " " + rows + "x" + cols, BlockFormats.of(type), data, 0, rows, cols, repack);
    }

    /** {@code batch} activation vectors of length {@code length}, standard normal (the scale of RMS-normed inputs). */
    static float[][] activations(int batch, int length, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[][] x = new float[batch][length];
        for (float[] v : x) {
            for (int i = 0; i < length; i++) {
                v[i] = (float) random.nextGaussian();
            }
        }
        return x;
    }
}
