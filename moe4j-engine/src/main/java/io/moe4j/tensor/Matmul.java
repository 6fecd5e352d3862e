package io.moe4j.tensor;

/**
 * Products of a weight matrix with a batch of activation vectors, split by rows across a
 * {@link ComputePool}. With more than one vector each row is decoded once and reused for every vector,
 * so the weights are read once per batch rather than once per token.
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
        long work = (long) rows * cols * tokens;
        int minRows = (int) Math.max(1, Math.min(rows, PARALLEL_THRESHOLD / Math.max(1, (long) cols * tokens)));
        ComputePool.RangeTask task = tokens == 1
                ? (start, end) -> w.matVec(x[0], xOffset, out[0], outOffset + start, start, end)
                : (start, end) -> {
                    float[] row = new float[cols];
                    for (int r = start; r < end; r++) {
                        w.dequantizeRow(r, row, 0);
                        for (int t = 0; t < tokens; t++) {
                            out[t][outOffset + r] = VectorMath.dot(row, 0, x[t], xOffset, cols);
                        }
                    }
                };
        if (work < PARALLEL_THRESHOLD || pool == null) {
            task.run(0, rows);
        } else {
            pool.forRange(rows, minRows, task);
        }
    }
}
