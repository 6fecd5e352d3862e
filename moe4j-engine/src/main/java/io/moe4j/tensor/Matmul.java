package io.moe4j.tensor;

/**
 * Products of a weight matrix with a batch of activation vectors, split by rows across a
 * {@link ComputePool}. Activations are first rounded as llama.cpp rounds them for this weight type
 * ({@link ActivationFormat}); each row is then decoded once into a small float buffer and multiplied
 * with every vector of the batch, so weights are read once per batch rather than once per token.
 */
public final class Matmul {
    /** Below this many multiply-adds an operation runs on the calling thread: waking workers costs more. */
    private static final long PARALLEL_THRESHOLD = 1L << 15;

    private Matmul() {
    }

    /** {@code out[t][outOffset + r] = w.row(r) · x[t][xOffset..]} for every token t and row r. */
    public static void apply(ComputePool pool, WeightMatrix w, float[][] x, int xOffset, float[][] out, int outOffset) {
        int tokens = x.length;
        int rows = w.rows();
        int cols = w.cols();
        float[][] rounded = roundActivations(w, x, xOffset);
        ComputePool.RangeTask task = (start, end) -> {
            float[] row = new float[cols];
            for (int r = start; r < end; r++) {
                w.dequantizeRow(r, row, 0);
                for (int t = 0; t < tokens; t++) {
                    out[t][outOffset + r] = VectorMath.dot(row, 0, rounded[t], 0, cols);
                }
            }
        };
        long work = (long) rows * cols * tokens;
        if (work < PARALLEL_THRESHOLD || pool == null) {
            task.run(0, rows);
        } else {
            int minRows = (int) Math.max(1, Math.min(rows, PARALLEL_THRESHOLD / Math.max(1, (long) cols * tokens)));
            pool.forRange(rows, minRows, task);
        }
    }

    private static float[][] roundActivations(WeightMatrix w, float[][] x, int xOffset) {
        ActivationFormat f = ActivationFormat.forWeights(w.format().type());
        float[][] rounded = new float[x.length][w.cols()];
        for (int t = 0; t < x.length; t++) {
            f.round(x[t], xOffset, rounded[t], 0, w.cols());
        }
        return rounded;
    }
}
