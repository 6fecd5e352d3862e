package io.moe4j.tensor;

/**
 * Products of a weight matrix with a batch of activation vectors, split by rows across a
 * {@link ComputePool}. Activations are first rounded as llama.cpp rounds them for this weight type
 * ({@link ActivationFormat}). Then one of three kernels:
 * <ul>
 *   <li>integer kernels, for a Q4_0, Q8_0, Q4_K or Q6_K matrix with a copy regrouped for them
 *       ({@link InterleavedRows}), up to a batch size that depends on the type ({@link InterleavedRows#maxBatch}:
 *       any for Q4_0 and Q4_K): 32 rows at a time, each vector in turn while the rows are in cache, so that a token comes
 *       out the same in a batch as alone. On a Q4_0 expert (1024 x 2048) with 8 tokens that is 1.8x the float
 *       kernels' speed, and olmoe Q4_0 prefill went from about 55 to about 100 tok/s;</li>
 *   <li>for one or two vectors on other matrices, the format's fused {@link BlockFormat#dot}, which reads each
 *       weight once and multiplies in registers, on short rows four rows per call ({@link BlockFormat#dot4}).
 *       For these and for decode's integer kernels the quantized activations go into per-thread arrays reused
 *       from call to call ({@link ActivationScratch});</li>
 *   <li>float kernels, for three or more vectors otherwise: rows are decoded once into float buffers and
 *       multiplied with four vectors at a time, either four rows at a time ({@link VectorMath#dot4x4}) or, for many
 *       tokens on short rows, as transposed panels of rows, a cache-sized slice at a time
 *       ({@link VectorMath#panelTimes4}), which need no horizontal sums.</li>
 * </ul>
 */
public final class Matmul {
    /** Below this many multiply-adds an operation runs on the calling thread: waking workers costs more. */
    private static final long PARALLEL_THRESHOLD = 1L << 15;
    /** Up to this many vectors the fused float kernel wins: decoding a row into a buffer pays off from about three. */
    private static final int FUSED_MAX_TOKENS = 2;

    private Matmul() {
    }

    /** One product for {@link #applyAll}: {@code out[t][outOffset + r] = w.row(r) · x[t][xOffset..]}. */
    public record Product(WeightMatrix w, float[][] x, int xOffset, float[][] out, int outOffset) {
    }

    /**
     * Several independent products, as one parallel operation where they are small: a decode step's experts,
     * or attention's query, key and value projections, then cost one hand-off between threads instead of one
     * each (olmoe decodes through about 500 matrix products per token). So do a prefill's products with
     * matrices that have a copy regrouped for the integer kernels ({@link InterleavedRows}), up to the batch size
     * where those beat the float kernels, and the other products of three or more vectors, through the float kernels
     * ({@link #batchedTask}): a prefill's experts with more tokens than that had cost one operation each.
     */
    public static void applyAll(ComputePool pool, Product... products) {
        ActivationScratch scratch = ActivationScratch.reset();
        int[] firstRow = new int[products.length + 1];
        RowsTask[] tasks = new RowsTask[products.length];
        RoundedInput[] inputs = new RoundedInput[products.length];
        java.util.IdentityHashMap<float[], RoundedRow> roundedRows = null;
        long work = 0;
        boolean regrouped = false;
        boolean panels = false;
        boolean allFused = true;
        for (int i = 0; i < products.length; i++) {
            Product p = products[i];
            int tokens = p.x().length;
            boolean fused = tokens <= FUSED_MAX_TOKENS;
            allFused &= fused;
            InterleavedRows groups = fused || tokens <= InterleavedRows.maxBatch(p.w().format().type()) ? p.w().interleaved(pool) : null;
            // products reading the same rows (a decode step's experts, its q/k/v) round them once
            ActivationFormat format = ActivationFormat.forWeights(p.w().format().type());
            for (int j = 0; j < i && inputs[i] == null; j++) {
                if (inputs[j] != null && inputs[j].reads(p.x(), p.xOffset(), format, p.w().cols())) {
                    inputs[i] = inputs[j];
                }
            }
            if (inputs[i] == null) {
                if (!fused && roundedRows == null) {
                    // a prefill's experts read overlapping subsets of the same rows (each token's four times with
                    // top-4 routing): each row is rounded once, whichever kernels read it (rounded expert by expert for
                    // the float kernels, 6% of the calling thread's time in a tiny prefill while the other waited)
                    roundedRows = new java.util.IdentityHashMap<>();
                }
                // a batch's rows are allocated, not taken from the scratch, which would keep a long prompt's for good
                inputs[i] = new RoundedInput(p.x(), p.xOffset(), format, p.w().cols(), fused ? scratch : null, fused ? null : roundedRows);
            }
            if (!fused && groups == null) {
                // the float kernels read the rounded values; their rows join the same parallel operation as the
                // others', whole panels to a thread
                tasks[i] = batchedTask(p.w(), inputs[i].values());
                panels = true;
            } else {
                tasks[i] = fusedTask(groups, p.w(), inputs[i], fused ? scratch : null);
                regrouped |= groups != null;
            }
            work += (long) p.w().rows() * p.w().cols() * p.x().length;
        }
        // the products' rows numbered one after the other; with the float kernels' panels in the operation, every
        // product starts on a chunk boundary (the rows padded in between belong to no product), so that chunks split
        // no product's panels or pairs of groups
        for (int i = 1; i <= products.length; i++) {
            int end = firstRow[i - 1] + products[i - 1].w().rows();
            firstRow[i] = panels && i < products.length ? roundUp(end, ALIGNED_ROWS) : end;
        }
        int rows = firstRow[products.length];
        AllRows all = new AllRows(products, tasks, firstRow);
        if (work < PARALLEL_THRESHOLD || pool == null) {
            all.run(0, rows);
        } else {
            int minRows = (int) Math.max(1, Math.min(rows, PARALLEL_THRESHOLD * rows / work));
            // chunks of whole pairs of groups for the pair kernel, of whole panels for the float kernels; other rows
            // split anywhere (a router's 64-row gate, rounded up to a pair, went to one thread whole)
            // a decode step's few vectors of results are cheap to compute aside; a prefill's would take megabytes
            int align = panels ? ALIGNED_ROWS : regrouped ? InterleavedRows.PAIR : 1;
            pool.forRange(rows, minRows, align, allFused ? all : all::run);
        }
    }

    /** {@code out[t][outOffset + r] = w.row(r) · x[t][xOffset..]} for every token t and row r. */
    public static void apply(ComputePool pool, WeightMatrix w, float[][] x, int xOffset, float[][] out, int outOffset) {
        applyAll(pool, new Product(w, x, xOffset, out, outOffset));
    }

    /** Whether {@code a} and {@code b} hold the same row arrays, in the same order. */
    private static boolean sameRows(float[][] a, float[][] b) {
        if (a.length != b.length) {
            return false;
        }
        for (int t = 0; t < a.length; t++) {
            if (a[t] != b[t]) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@link #apply}'s rows through the float kernels, for three or more vectors: rows decoded once for the whole batch,
     * as panels or as row quads.
     */
    private static RowsTask batchedTask(WeightMatrix w, float[][] rounded) {
        if (usePanels(rounded.length, w.cols())) {
            return (start, end, out, outOffset) -> tiled(w, rounded, out, outOffset, start, end);
        }
        return (start, end, out, outOffset) -> rowQuads(w, rounded, out, outOffset, start, end);
    }

    /** Rows to which chunks are aligned where the float kernels are in an operation: whole panels, whole pairs of groups. */
    private static final int ALIGNED_ROWS = InterleavedRows.PAIR;

    private static int roundUp(int n, int multiple) {
        return (n + multiple - 1) / multiple * multiple;
    }

    /** One activation row rounded for one weight type: its codes and block scales, and the integer kernels' form of them. */
    private static final class RoundedRow {
        final ActivationFormat format;
        final int xOffset;
        final int cols;
        final float[] codes;
        final float[] scales;
        short[] codes16;
        short[] sums;
        float[] values;

        RoundedRow(float[] x, int xOffset, ActivationFormat format, int cols, ActivationScratch scratch) {
            this.format = format;
            this.xOffset = xOffset;
            this.cols = cols;
            codes = floats(scratch, cols);
            scales = format.isBlockQuantized() ? floats(scratch, cols / format.blockSize()) : null;
            format.quantize(x, xOffset, codes, 0, scales, 0, cols);
        }

        boolean matches(int offset, ActivationFormat f, int length) {
            return offset == xOffset && f == format && length == cols;
        }

        /** The rounded values themselves (codes times their block's scale), for the float kernels; made on first need. */
        float[] values() {
            if (values == null && scales == null) {
                values = codes;
            } else if (values == null) {
                values = new float[cols];
                format.scaleBack(codes, 0, scales, 0, values, 0, cols);
            }
            return values;
        }

        void prepareIntegers(ActivationScratch scratch) {
            if (codes16 == null) {
                codes16 = shorts(scratch, cols);
                sums = shorts(scratch, cols / InterleavedRows.SUM_RUN);
                InterleavedRows.prepare(codes, codes16, sums, cols);
            }
        }
    }

    /** An array from {@code scratch}, or a new one where there is none. */
    private static float[] floats(ActivationScratch scratch, int length) {
        return scratch == null ? new float[length] : scratch.take(length);
    }

    private static short[] shorts(ActivationScratch scratch, int length) {
        return scratch == null ? new short[length] : scratch.takeShorts(length);
    }

    /**
     * A batch of activation rows rounded as llama.cpp rounds them for one weight type ({@link ActivationFormat}),
     * into arrays of the caller's {@link ActivationScratch} (new arrays when it is null): codes and block scales, and
     * for the row-grouped kernels the codes as 16-bit integers with their sums, made on first need.
     */
    private static final class RoundedInput {
        final float[][] x;
        final int xOffset;
        final ActivationFormat format;
        final int cols;
        final RoundedRow[] rows;
        final float[][] codes;
        final float[][] scales;
        short[][] codes16;
        short[][] sums;

        /** With {@code shared}, rows rounded before (the same arrays) are taken from it and new ones added. */
        RoundedInput(float[][] x, int xOffset, ActivationFormat format, int cols, ActivationScratch scratch,
                     java.util.Map<float[], RoundedRow> shared) {
            this.x = x;
            this.xOffset = xOffset;
            this.format = format;
            this.cols = cols;
            rows = new RoundedRow[x.length];
            codes = new float[x.length][];
            scales = format.isBlockQuantized() ? new float[x.length][] : null;
            for (int t = 0; t < x.length; t++) {
                RoundedRow row = shared == null ? null : shared.get(x[t]);
                if (row == null || !row.matches(xOffset, format, cols)) {
                    row = new RoundedRow(x[t], xOffset, format, cols, scratch);
                    if (shared != null) {
                        shared.putIfAbsent(x[t], row);
                    }
                }
                rows[t] = row;
                codes[t] = row.codes;
                if (scales != null) {
                    scales[t] = row.scales;
                }
            }
        }

        /** Whether these are the same rows (the same arrays), offset, format and length. */
        boolean reads(float[][] rows, int offset, ActivationFormat f, int length) {
            return offset == xOffset && f == format && length == cols && sameRows(rows, x);
        }

        /** The rows' rounded values, for the float kernels. */
        float[][] values() {
            float[][] values = new float[x.length][];
            for (int t = 0; t < x.length; t++) {
                values[t] = rows[t].values();
            }
            return values;
        }

        void prepareIntegers(ActivationScratch scratch) {
            if (codes16 != null) {
                return;
            }
            codes16 = new short[x.length][];
            sums = new short[x.length][];
            for (int t = 0; t < x.length; t++) {
                rows[t].prepareIntegers(scratch);
                codes16[t] = rows[t].codes16;
                sums[t] = rows[t].sums;
            }
        }
    }

    /** One product's rows {@code [start, end)}, written to {@code out[t][outOffset + r]}. */
    @FunctionalInterface
    private interface RowsTask {
        void run(int start, int end, float[][] out, int outOffset);
    }

    /**
     * The rows of {@link #applyAll}'s products, numbered one after the other (product i's from {@code firstRow[i]},
     * padding after it where the operation has float-kernel panels). A worker computes its chunks into a
     * buffer of its own and copies them out after ({@link ComputePool.SeparableTask}), so that the calling thread can
     * take over the chunk of a worker that lost its CPU instead of waiting milliseconds for it.
     */
    private static final class AllRows implements ComputePool.SeparableTask {
        /** Each thread's rows for results computed aside, grown as needed. */
        private static final ThreadLocal<float[][]> ASIDE = ThreadLocal.withInitial(() -> new float[0][]);

        private final Product[] products;
        private final RowsTask[] tasks;
        private final int[] firstRow;

        AllRows(Product[] products, RowsTask[] tasks, int[] firstRow) {
            this.products = products;
            this.tasks = tasks;
            this.firstRow = firstRow;
        }

        @Override
        public void run(int start, int end) {
            runRows(start, end, null);
        }

        @Override
        public Runnable computeAside(int start, int end) {
            int tokens = 0;
            for (int i = 0; i < tasks.length; i++) {
                if (Math.max(start, firstRow[i]) < Math.min(end, endRow(i))) {
                    tokens = Math.max(tokens, products[i].x().length);
                }
            }
            float[][] aside = aside(tokens, end - start);
            runRows(start, end, aside);
            return () -> {
                for (int i = 0; i < tasks.length; i++) {
                    int from = Math.max(start, firstRow[i]);
                    int to = Math.min(end, endRow(i));
                    Product p = products[i];
                    for (int t = 0; from < to && t < p.x().length; t++) {
                        System.arraycopy(aside[t], from - start, p.out()[t], p.outOffset() + from - firstRow[i], to - from);
                    }
                }
            };
        }

        /** Rows {@code [start, end)} of the products they fall in, into the products' outputs, or with {@code aside} into its rows from {@code start}. */
        private void runRows(int start, int end, float[][] aside) {
            for (int i = 0; i < tasks.length; i++) {
                int from = Math.max(start, firstRow[i]);
                int to = Math.min(end, endRow(i));
                if (from < to) {
                    tasks[i].run(from - firstRow[i], to - firstRow[i], aside == null ? products[i].out() : aside,
                            aside == null ? products[i].outOffset() : firstRow[i] - start);
                }
            }
        }

        /** The end of product {@code i}'s rows: padding may follow them ({@link #applyAll}). */
        private int endRow(int i) {
            return firstRow[i] + products[i].w().rows();
        }

        private static float[][] aside(int tokens, int rows) {
            float[][] aside = ASIDE.get();
            if (aside.length < tokens || (tokens > 0 && aside[0].length < rows)) {
                aside = new float[Math.max(tokens, aside.length)][Math.max(rows, aside.length == 0 ? 0 : aside[0].length)];
                ASIDE.set(aside);
            }
            return aside;
        }
    }

    /** The fused kernel over a range of rows, on activations rounded once for all of them. */
    private static RowsTask fusedTask(InterleavedRows groups, WeightMatrix w, RoundedInput in, ActivationScratch scratch) {
        float[][] codes = in.codes;
        float[][] scales = in.scales;
        if (groups != null) {
            in.prepareIntegers(scratch);
            short[][] codes16 = in.codes16;
            short[][] sums = in.sums;
            return (start, end, out, outOffset) -> interleaved(w, groups, codes, codes16, sums, scales, out, outOffset, start, end);
        }
        return (start, end, out, outOffset) -> fused(w, codes, scales, out, outOffset, start, end);
    }

    /**
     * Rows {@code [start, end)} through the regrouped copy ({@link InterleavedRows}), two groups at a time where the
     * range holds both ({@link InterleavedRows#dotPair}), and rows past its last whole group through {@link #fused}.
     * A group the range cuts (when a matrix follows others' rows in {@link #applyAll}) is computed whole into a
     * buffer, so every row has the same value however the rows are split among threads.
     */
    private static void interleaved(WeightMatrix w, InterleavedRows groups, float[][] codes, short[][] codes16, short[][] sums,
                                    float[][] scales, float[][] out, int outOffset, int start, int end) {
        int group = InterleavedRows.GROUP;
        int grouped = groups.groups() * group;
        float[] cut = null;
        for (int g = start / group; g * group < Math.min(end, grouped); g++) {
            int from = Math.max(start, g * group);
            int to = Math.min(end, (g + 1) * group);
            if (g % 2 == 0 && from == g * group && (g + 2) * group <= Math.min(end, grouped)) {
                for (int t = 0; t < codes16.length; t++) {
                    groups.dotPair(g, codes16[t], sums[t], scales[t], out[t], outOffset + g * group);
                }
                g++;
                continue;
            }
            for (int t = 0; t < codes16.length; t++) {
                if (to - from == group) {
                    groups.dot(g, codes16[t], sums[t], scales[t], out[t], outOffset + g * group);
                } else {
                    cut = cut == null ? new float[group] : cut;
                    groups.dot(g, codes16[t], sums[t], scales[t], cut, 0);
                    System.arraycopy(cut, from - g * group, out[t], outOffset + from, to - from);
                }
            }
        }
        if (end > grouped) {
            fused(w, codes, scales, out, outOffset, Math.max(start, grouped), end);
        }
    }

    /**
     * Rows at most this long go through {@link WeightMatrix#dot4}. Measured on matrices larger than the caches
     * (`Q8_0` and `Q4_0`, 256 to 2048 columns): for rows of up to 288 bytes four at a time reads 1.2-1.7x
     * faster, from 544 bytes on 1.6-2.7x slower, as if two interleaved streams far enough apart defeated the
     * hardware prefetcher. In cache, four at a time wins at every length.
     */
    private static final long FOUR_ROWS_MAX_ROW_BYTES = 320;

    private static void fused(WeightMatrix w, float[][] codes, float[][] scales, float[][] out, int outOffset, int start, int end) {
        int r = start;
        int fourRowsEnd = w.rowBytes() <= FOUR_ROWS_MAX_ROW_BYTES ? end : start;
        for (; r + 3 < fourRowsEnd; r += 4) {
            for (int t = 0; t < codes.length; t++) {
                w.dot4(r, codes[t], 0, scales == null ? null : scales[t], 0, out[t], outOffset + r);
            }
        }
        for (; r < end; r++) {
            for (int t = 0; t < codes.length; t++) {
                out[t][outOffset + r] = w.dot(r, codes[t], 0, scales == null ? null : scales[t], 0);
            }
        }
    }

    /** Rows per panel of the batched kernel: two float vectors' worth. */
    private static final int PANEL = 2 * Lanes.LENGTH;
    /** Columns per slice of a panel: 256 x 32 floats (32 KB) stay in the first-level cache; a multiple of every block size. */
    private static final int SLICE = 256;

    /**
     * Rows in panels of {@link #PANEL}, columns in slices of {@link #SLICE}: each slice of the panel is
     * decoded once and stored transposed (value k of every row side by side) in a buffer small enough for the
     * first-level cache, and each token's products are accumulated as whole vectors of rows, one broadcast
     * activation times one slice column per step, four tokens at a time. No horizontal sums, and each loaded
     * weight vector serves four tokens. Rows left over from the last panel use row-at-a-time dot products.
     */
    private static void tiled(WeightMatrix w, float[][] x, float[][] out, int outOffset, int start, int end) {
        int cols = w.cols();
        int tokens = x.length;
        float[] row = new float[cols];
        float[] slice = new float[SLICE * PANEL];
        int r = start;
        for (; r + PANEL <= end; r += PANEL) {
            for (int col = 0; col < cols; col += SLICE) {
                int n = Math.min(SLICE, cols - col);
                for (int i = 0; i < PANEL; i++) {
                    w.dequantize(r + i, col, n, row, 0);
                    for (int k = 0; k < n; k++) {
                        slice[k * PANEL + i] = row[k];
                    }
                }
                boolean accumulate = col > 0;
                int t = 0;
                for (; t + 3 < tokens; t += 4) {
                    VectorMath.panelTimes4(slice, n, x[t], x[t + 1], x[t + 2], x[t + 3], col,
                            out[t], out[t + 1], out[t + 2], out[t + 3], outOffset + r, accumulate);
                }
                for (; t < tokens; t++) {
                    VectorMath.panelTimes1(slice, n, x[t], col, out[t], outOffset + r, accumulate);
                }
            }
        }
        rowByRow(w, x, out, outOffset, r, end, row);
    }

    /**
     * Row quads cost a few horizontal sums per row and token; panels cost a transposition per weight, paid once
     * for all tokens. Measured on 1024 x 2048 matrices (Q4_0, Q6_K, F16) rows win up to 32 tokens and
     * more; panels win for short rows and many tokens, such as a prompt through a 256-wide output matrix.
     */
    private static boolean usePanels(int tokens, int cols) {
        return 4L * tokens > cols;
    }

    /**
     * Four rows decoded at a time, each multiplied with four tokens at a time ({@link VectorMath#dot4x4}); the
     * last one to three rows of the range one at a time.
     */
    private static void rowQuads(WeightMatrix w, float[][] x, float[][] out, int outOffset, int start, int end) {
        int cols = w.cols();
        int tokens = x.length;
        float[] quad = new float[4 * cols];
        float[] tile = new float[16 * Lanes.LENGTH];
        int r = start;
        for (; r + 3 < end; r += 4) {
            for (int i = 0; i < 4; i++) {
                w.dequantizeRow(r + i, quad, i * cols);
            }
            int t = 0;
            for (; t + 1 < tokens; t += 4) {
                // two or three tokens left: the last one stands in for the missing ones (same cost as four)
                int last = tokens - 1;
                VectorMath.dot4x4(quad, cols, x[t], x[t + 1], x[Math.min(t + 2, last)], x[Math.min(t + 3, last)], tile);
                for (int j = 0; j < Math.min(4, tokens - t); j++) {
                    for (int i = 0; i < 4; i++) {
                        out[t + j][outOffset + r + i] = tile[4 * i + j];
                    }
                }
            }
            for (; t < tokens; t++) {
                for (int i = 0; i < 4; i++) {
                    out[t][outOffset + r + i] = VectorMath.dot(quad, i * cols, x[t], 0, cols);
                }
            }
        }
        rowByRow(w, x, out, outOffset, r, end, quad);
    }

    /** Rows {@code [start, end)} one at a time, each decoded into {@code row} and multiplied with every token. */
    private static void rowByRow(WeightMatrix w, float[][] x, float[][] out, int outOffset, int start, int end, float[] row) {
        for (int r = start; r < end; r++) {
            w.dequantizeRow(r, row, 0);
            for (int t = 0; t < x.length; t++) {
                out[t][outOffset + r] = VectorMath.dot(row, 0, x[t], 0, w.cols());
            }
        }
    }
}
