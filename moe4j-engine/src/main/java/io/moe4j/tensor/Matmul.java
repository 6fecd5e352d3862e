package io.moe4j.tensor;

/**
 * Products of a weight matrix with a batch of activation vectors, split by rows across a
 * {@link ComputePool}. Activations are first rounded as llama.cpp rounds them for this weight type
 * ({@link ActivationFormat}). Then one of three kernels:
 * <ul>
 *   <li>integer kernels, for a Q4_0, Q8_0, Q4_K or Q6_K matrix with a copy regrouped for them
 *       ({@link InterleavedRows}), up to a batch size that depends on the type ({@link InterleavedRows#maxBatch}:
 *       any for Q4_0 and Q4_K with 512-bit vectors, one with narrower ones): a group of rows (32 with 512-bit
 *       vectors) at a time, each vector in turn while the rows are in cache, so that a token comes
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
    /**
     * Below this many multiply-adds an operation runs on the calling thread: handing it out costs more. Chunks hold at
     * least this much work too, so an operation under twice as much is not split either. At 2^15 the tiny model's
     * q/k/v projections (196K), its gate and up projections (262K) and its down projections (131K), and olmoe's router
     * gate (131K), were split between two threads; run by the calling thread alone, decode went 1.090x as fast on
     * tiny-code-moe Q8_0 (quartiles 1.053-1.143), 1.016x on Q4_K_M and 1.036x on olmoe Q4_0, within noise there (scripts/ab-builds.sh,
     * 2026-11-30); at 2^19, 1.079x on tiny Q8_0.
     */
    private static final long PARALLEL_THRESHOLD = 1L << 18;
    /** Up to this many vectors the fused float kernel wins: decoding a row into a buffer pays off from about three. */
    private static final int FUSED_MAX_TOKENS = 2;

    private Matmul() {
    }

    /**
     * This thread's list of products, emptied, to fill with {@link Products#add} and run with {@link Products#apply}.
     * One list at a time per thread: it is reused from call to call.
     */
    public static Products products() {
        java.util.List<Products> lists = Products.OF_THREAD.get();
        for (Products list : lists) {
            if (!list.inUse()) {
                list.clear();
                return list;
            }
        }
        // a worker that lost its CPU still computes, aside, a chunk the calling thread took over: it reads its list,
        // which is left as it is until the worker lets go (changed under it, the list had its kernels meet nulls and
        // changed lengths: exceptions, and deoptimisations of the compiled kernels, which JFR recorded)
        Products list = new Products();
        lists.add(list);
        return list;
    }

    /** {@code out[t][outOffset + r] = w.row(r) · x[t][xOffset..]} for every token t and row r. */
    public static void apply(ComputePool pool, WeightMatrix w, float[][] x, int xOffset, float[][] out, int outOffset) {
        products().add(w, x, xOffset, out, outOffset).apply(pool);
    }

    /**
     * Several independent products, as one parallel operation where they are small: a decode step's experts,
     * or attention's query, key and value projections, then cost one hand-off between threads instead of one
     * each (olmoe decodes through about 500 matrix products per token). So do a prefill's products with
     * matrices that have a copy regrouped for the integer kernels ({@link InterleavedRows}), up to the batch size
     * where those beat the float kernels, and the other products of three or more vectors, through the float kernels:
     * a prefill's experts with more tokens than that had cost one operation each.
     *
     * <p>The list, its products' records, and the rounded inputs of one or two vectors are kept by the thread and
     * reused, so that a decode loop allocates nothing here (issue #3); a prefill's rounded rows are allocated, as
     * keeping them would hold a long prompt's for good.
     */
    public static final class Products {
        private static final ThreadLocal<java.util.List<Products>> OF_THREAD = ThreadLocal.withInitial(java.util.ArrayList::new);

        private Product[] list = new Product[0];
        private int count;
        private RoundedInput[] reusedInputs = new RoundedInput[0];
        private int reusedInputsTaken;
        private final AllRows all = new AllRows(this);
        /** {@link #all} as work that is not separable: a prefill's results would take megabytes to compute aside. */
        private final ComputePool.RangeTask allInPlace = (start, end) -> all.runRows(start, end, null);
        /** The pool of the last operation. */
        private ComputePool pool;

        private Products() {
        }

        private void clear() {
            for (int i = 0; i < count; i++) {
                list[i].forget();
            }
            count = 0;
        }

        /** Adds {@code out[t][outOffset + r] = w.row(r) · x[t][xOffset..]} for every token t and row r. */
        public Products add(WeightMatrix w, float[][] x, int xOffset, float[][] out, int outOffset) {
            if (count == list.length) {
                list = java.util.Arrays.copyOf(list, Math.max(4, 2 * count));
                for (int i = count; i < list.length; i++) {
                    list[i] = new Product();
                }
            }
            list[count++].set(w, x, xOffset, out, outOffset);
            return this;
        }

        /** Runs the products added since {@link #products()}. */
        public void apply(ComputePool pool) {
            this.pool = pool;
            OperationTimes timed = pool == null || count == 0 ? null : pool.timing();
            if (timed == null) {
                run(pool);
                return;
            }
            long start = System.nanoTime();
            run(pool);
            long end = System.nanoTime();
            long bytes = 0;
            for (int i = 0; i < count; i++) {
                bytes += list[i].w.byteSize();
            }
            timed.products().add(list[0].w.kind(), count, bytes, start, end);
        }

        /** Whether a worker of the last operation still reads this list. */
        private boolean inUse() {
            return pool != null && pool.computingAside(all);
        }

        private void run(ComputePool pool) {
            ActivationScratch scratch = ActivationScratch.reset();
            reusedInputsTaken = 0;
            java.util.IdentityHashMap<float[], RoundedRow> roundedRows = null;
            long work = 0;
            boolean regrouped = false;
            boolean panels = false;
            boolean allFused = true;
            for (int i = 0; i < count; i++) {
                Product p = list[i];
                int tokens = p.x.length;
                boolean fused = tokens <= FUSED_MAX_TOKENS;
                allFused &= fused;
                InterleavedRows groups = fused || tokens <= InterleavedRows.maxBatch(p.w.format().type()) ? p.w.interleaved(pool) : null;
                // products reading the same rows (a decode step's experts, its q/k/v) round them once
                ActivationFormat format = ActivationFormat.forWeights(p.w.format().type());
                for (int j = 0; j < i && p.in == null; j++) {
                    if (list[j].in.reads(p.x, p.xOffset, format, p.w.cols())) {
                        p.in = list[j].in;
                    }
                }
                if (p.in == null && fused) {
                    p.in = reusedInput().set(p.x, p.xOffset, format, p.w.cols(), scratch, null);
                } else if (p.in == null) {
                    if (roundedRows == null) {
                        // a prefill's experts read overlapping subsets of the same rows (each token's four times with
                        // top-4 routing): each row is rounded once, whichever kernels read it (rounded expert by expert for
                        // the float kernels, 6% of the calling thread's time in a tiny prefill while the other waited)
                        roundedRows = new java.util.IdentityHashMap<>();
                    }
                    p.in = new RoundedInput().set(p.x, p.xOffset, format, p.w.cols(), null, roundedRows);
                }
                if (!fused && groups == null) {
                    // the float kernels read the rounded values; their rows join the same parallel operation as the
                    // others', whole panels to a thread
                    p.values = p.in.values();
                    p.kernel = usePanels(tokens, p.w.cols()) ? Kernel.PANELS : Kernel.ROW_QUADS;
                    panels = true;
                } else if (groups != null) {
                    p.in.prepareIntegers(fused ? scratch : null);
                    p.groups = groups;
                    p.kernel = Kernel.INTEGER;
                    regrouped = true;
                } else {
                    p.kernel = Kernel.FUSED;
                }
                work += (long) p.w.rows() * p.w.cols() * tokens;
            }
            // the products' rows numbered one after the other; with the float kernels' panels in the operation, every
            // product starts on a chunk boundary (the rows padded in between belong to no product), so that chunks split
            // no product's panels or pairs of groups
            int rows = 0;
            boolean anyFolded = false;
            for (int i = 0; i < count; i++) {
                Product p = list[i];
                p.firstRow = i == 0 ? 0 : panels ? roundUp(rows, ALIGNED_ROWS) : rows;
                rows = p.endRow();
                p.folded = p.kernel == Kernel.INTEGER && p.x.length == 1 && p.groups.readsTwoPairsAtOnce()
                        && p.firstRow % FOLDED_ITEMS == 0 && p.w.rows() % FOLDED_ITEMS == 0;
                anyFolded |= p.folded;
            }
            if (work < PARALLEL_THRESHOLD || pool == null) {
                all.runRows(0, rows, null);
            } else {
                int minRows = (int) Math.max(1, Math.min(rows, PARALLEL_THRESHOLD * rows / work));
                // chunks of whole pairs of groups for the pair kernel, of whole panels for the float kernels; other rows
                // split anywhere (a router's 64-row gate, rounded up to a pair, went to one thread whole)
                // a decode step's few vectors of results are cheap to compute aside; a prefill's would take megabytes
                // folded products' items two by two (Folded), so that a chunk reads both halves of its rows alike
                // (FOLDED_ITEMS is a multiple of ALIGNED_ROWS: an operation with both aligns to the folded grid)
                int align = anyFolded ? FOLDED_ITEMS : panels ? ALIGNED_ROWS : regrouped ? InterleavedRows.PAIR : 1;
                pool.forRange(rows, minRows, align, allFused ? all : allInPlace);
            }
        }

        /** A rounded input of one or two vectors kept from an earlier operation, or a new one kept from now on. */
        private RoundedInput reusedInput() {
            if (reusedInputsTaken == reusedInputs.length) {
                reusedInputs = java.util.Arrays.copyOf(reusedInputs, Math.max(4, 2 * reusedInputs.length));
                for (int i = reusedInputsTaken; i < reusedInputs.length; i++) {
                    reusedInputs[i] = new RoundedInput();
                }
            }
            return reusedInputs[reusedInputsTaken++];
        }
    }

    /**
     * How one product's rows {@code [start, end)} are computed, written to {@code into[t][intoOffset + r]}. Each
     * kernel is a class of its own, called through this interface: inlined into one method of four branches, the
     * kernels' vector code overflowed the JIT's budget and allocated every vector when run without the launcher's
     * options (800 KB per tiny-code-moe decode step, where there are none now).
     */
    @FunctionalInterface
    private interface Kernel {
        void run(Product p, int start, int end, float[][] into, int intoOffset);

        /** The regrouped copy's integer kernels. */
        Kernel INTEGER = (p, start, end, into, intoOffset) ->
                interleaved(p.w, p.groups, p.in.codes, p.in.codes16, p.in.sums, p.in.scales, into, intoOffset, start, end);
        /** The format's fused dot products, for one or two vectors. */
        Kernel FUSED = (p, start, end, into, intoOffset) -> fused(p.w, p.in.codes, p.in.scales, into, intoOffset, start, end);
        /** Decoded rows as transposed panels. */
        Kernel PANELS = (p, start, end, into, intoOffset) -> tiled(p.w, p.values, into, intoOffset, start, end);
        /** Decoded rows four at a time. */
        Kernel ROW_QUADS = (p, start, end, into, intoOffset) -> rowQuads(p.w, p.values, into, intoOffset, start, end);
    }

    /** One product of a {@link Products} list, {@code out[t][outOffset + r] = w.row(r) · x[t][xOffset..]}, and how it runs. */
    private static final class Product {
        WeightMatrix w;
        float[][] x;
        int xOffset;
        float[][] out;
        int outOffset;
        /** Where its rows start in the operation's numbering ({@link AllRows}). */
        int firstRow;
        RoundedInput in;
        Kernel kernel;
        InterleavedRows groups;
        /** The rounded values, for the float kernels. */
        float[][] values;
        /** Whether its rows are numbered in {@link Folded} order. */
        boolean folded;

        void set(WeightMatrix w, float[][] x, int xOffset, float[][] out, int outOffset) {
            this.w = w;
            this.x = x;
            this.xOffset = xOffset;
            this.out = out;
            this.outOffset = outOffset;
        }

        /** Lets go of the arrays of the last operation: a prefill's are large. */
        void forget() {
            set(null, null, 0, null, 0);
            in = null;
            groups = null;
            values = null;
            folded = false;
        }

        /** The end of its rows: padding may follow them ({@link Products#run}). */
        int endRow() {
            return firstRow + w.rows();
        }

        /** Rows {@code [start, end)}, written to {@code into[t][intoOffset + r]}. */
        void run(int start, int end, float[][] into, int intoOffset) {
            kernel.run(this, start, end, into, intoOffset);
        }
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

    /** Rows to which chunks are aligned where the float kernels are in an operation: whole panels, whole pairs of groups. */
    private static final int ALIGNED_ROWS = InterleavedRows.PAIR;

    private static int roundUp(int n, int multiple) {
        return (n + multiple - 1) / multiple * multiple;
    }

    /** One activation row rounded for one weight type: its codes and block scales, and the integer kernels' form of them. */
    private static final class RoundedRow {
        ActivationFormat format;
        int xOffset;
        int cols;
        float[] codes;
        float[] scales;
        short[] codes16;
        short[] sums;
        float[] values;

        /** Rounds {@code x}'s row into arrays from {@code scratch} (new ones without): on a reused row, forgets the last. */
        RoundedRow set(float[] x, int xOffset, ActivationFormat format, int cols, ActivationScratch scratch) {
            this.format = format;
            this.xOffset = xOffset;
            this.cols = cols;
            codes = floats(scratch, cols);
            scales = format.isBlockQuantized() ? floats(scratch, cols / format.blockSize()) : null;
            codes16 = null;
            sums = null;
            values = null;
            format.quantize(x, xOffset, codes, 0, scales, 0, cols);
            return this;
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
                codes16 = shorts(scratch, InterleavedRows.preparedLength(cols));
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
     * for the row-grouped kernels the codes as 16-bit integers with their sums, made on first need. Reused for
     * another batch of as many rows, it reuses its row records too.
     */
    private static final class RoundedInput {
        float[][] x;
        int xOffset;
        ActivationFormat format;
        int cols;
        RoundedRow[] rows = new RoundedRow[0];
        float[][] codes;
        /** Null for formats without block scales. */
        float[][] scales;
        private float[][] scaleRows;
        short[][] codes16;
        short[][] sums;
        private boolean integers;

        /** With {@code shared}, rows rounded before (the same arrays) are taken from it and new ones added. */
        RoundedInput set(float[][] x, int xOffset, ActivationFormat format, int cols, ActivationScratch scratch,
                         java.util.Map<float[], RoundedRow> shared) {
            this.x = x;
            this.xOffset = xOffset;
            this.format = format;
            this.cols = cols;
            if (rows.length != x.length) {
                rows = new RoundedRow[x.length];
                codes = new float[x.length][];
                scaleRows = new float[x.length][];
                codes16 = new short[x.length][];
                sums = new short[x.length][];
            }
            scales = format.isBlockQuantized() ? scaleRows : null;
            integers = false;
            for (int t = 0; t < x.length; t++) {
                RoundedRow row = shared == null ? null : shared.get(x[t]);
                if (row == null || !row.matches(xOffset, format, cols)) {
                    // a shared row belongs to the map; an unshared one to this input, and is reused with it
                    row = (shared != null || rows[t] == null ? new RoundedRow() : rows[t]).set(x[t], xOffset, format, cols, scratch);
                    if (shared != null) {
                        shared.putIfAbsent(x[t], row);
                    }
                }
                rows[t] = row;
                codes[t] = row.codes;
                scaleRows[t] = row.scales;
            }
            return this;
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
            if (integers) {
                return;
            }
            for (int t = 0; t < x.length; t++) {
                rows[t].prepareIntegers(scratch);
                codes16[t] = rows[t].codes16;
                sums[t] = rows[t].sums;
            }
            integers = true;
        }
    }

    /** Rows of a folded product's item: one pair of groups. A chunk of folded items holds an even number of them. */
    private static final int FOLDED_ITEMS = 2 * InterleavedRows.PAIR;

    /**
     * A decode product's rows in folded order, for a kernel that reads two pairs of groups side by side
     * ({@link InterleavedRows#readsTwoPairsAtOnce}): item 2q is pair q of the matrix and item 2q+1 pair h+q, h being
     * half its pairs. However the operation's chunks cut the items, a chunk's rows are two runs half a matrix apart,
     * read as two streams. In row order ({@code Matmul.interleaved} halves each slice a chunk holds), the chunks towards an
     * operation's end (128 rows, two pairs) read their two streams side by side, and a slice with an odd count of
     * pairs read one pair alone; an olmoe gate/up operation ran 1.04-1.14x as fast as direct kernel calls over whole
     * halves of each matrix (a scratch harness, the same copies, one process). Folded, olmoe Q4_0 decode ran
     * 1.04-1.08x as fast (geometric means of {@code scripts/ab-builds.sh} runs in both orders, 2026-12-01). Results
     * computed aside are kept in item order and placed at their rows when written out.
     */
    private static final class Folded {
        private Folded() {
        }

        /**
         * Items {@code [start, end)} of {@code p}, counted in rows (multiples of {@link #FOLDED_ITEMS}): into its output
         * at their rows, or with {@code aside} into that array in item order, the item at row r at {@code asideOffset + r}.
         */
        static void run(Product p, int start, int end, float[] aside, int asideOffset) {
            InterleavedRows groups = p.groups;
            short[] codes = p.in.codes16[0];
            short[] sums = p.in.sums[0];
            float[] scales = p.in.scales[0];
            float[] out = aside == null ? p.out[0] : aside;
            if (start % FOLDED_ITEMS != 0 || end % FOLDED_ITEMS != 0) {
                // the operation aligns its chunks to FOLDED_ITEMS, and folds only products that start on that grid
                throw new IllegalStateException("folded rows " + start + ".." + end + " of " + p.w.name() + " cut an item pair");
            }
            int half = half(p);
            for (int item = start / InterleavedRows.PAIR; item < end / InterleavedRows.PAIR; item += 2) {
                groups.dotTwoPairs(2 * pairOf(item, half), 2 * pairOf(item + 1, half), codes, sums, scales, out,
                        at(p, item, half, aside, asideOffset), at(p, item + 1, half, aside, asideOffset));
            }
        }

        /** Copies items {@code [start, end)} (in rows) of {@code p}, computed aside from {@code aside[asideStart]}, to their rows. */
        static void place(Product p, float[] aside, int start, int end, int asideStart) {
            int half = half(p);
            for (int item = start / InterleavedRows.PAIR; item < end / InterleavedRows.PAIR; item++) {
                System.arraycopy(aside, asideStart + item * InterleavedRows.PAIR - start, p.out[0],
                        p.outOffset + pairOf(item, half) * InterleavedRows.PAIR, InterleavedRows.PAIR);
            }
        }

        private static int half(Product p) {
            return p.w.rows() / FOLDED_ITEMS;
        }

        /** The pair of groups that item {@code item} reads. */
        private static int pairOf(int item, int half) {
            return item % 2 == 0 ? item / 2 : half + item / 2;
        }

        /** Where item {@code item}'s results (a pair of groups' rows) go: at its rows, or aside in item order. */
        private static int at(Product p, int item, int half, float[] aside, int asideOffset) {
            return aside == null ? p.outOffset + pairOf(item, half) * InterleavedRows.PAIR : asideOffset + item * InterleavedRows.PAIR;
        }
    }

    /**
     * The rows of a {@link Products} list's products, numbered one after the other (each product's from its
     * {@code firstRow}, padding after it where the operation has float-kernel panels). A worker computes its chunks
     * into a buffer of its own and copies them out after ({@link ComputePool.SeparableTask}), so that the calling
     * thread can take over the chunk of a worker that lost its CPU instead of waiting milliseconds for it.
     */
    private static final class AllRows implements ComputePool.SeparableTask {
        /** Each thread's rows for results computed aside, grown as needed. */
        private static final ThreadLocal<float[][]> ASIDE = ThreadLocal.withInitial(() -> new float[0][]);

        private final Products products;

        AllRows(Products products) {
            this.products = products;
        }

        @Override
        public void run(int start, int end) {
            runRows(start, end, null);
        }

        @Override
        public void computeAside(int start, int end) {
            int tokens = 0;
            for (int i = 0; i < products.count; i++) {
                Product p = products.list[i];
                if (Math.max(start, p.firstRow) < Math.min(end, p.endRow())) {
                    tokens = Math.max(tokens, p.x.length);
                }
            }
            runRows(start, end, aside(tokens, end - start));
        }

        @Override
        public void writeAside(int start, int end) {
            float[][] aside = ASIDE.get();
            for (int i = 0; i < products.count; i++) {
                Product p = products.list[i];
                int from = Math.max(start, p.firstRow);
                int to = Math.min(end, p.endRow());
                if (p.folded && from < to) {
                    Folded.place(p, aside[0], from - p.firstRow, to - p.firstRow, from - start);
                    continue;
                }
                for (int t = 0; from < to && t < p.x.length; t++) {
                    System.arraycopy(aside[t], from - start, p.out[t], p.outOffset + from - p.firstRow, to - from);
                }
            }
        }

        /** Rows {@code [start, end)} of the products they fall in, into the products' outputs, or with {@code aside} into its rows from {@code start}. */
        void runRows(int start, int end, float[][] aside) {
            for (int i = 0; i < products.count; i++) {
                Product p = products.list[i];
                int from = Math.max(start, p.firstRow);
                int to = Math.min(end, p.endRow());
                if (from < to && p.folded) {
                    Folded.run(p, from - p.firstRow, to - p.firstRow, aside == null ? null : aside[0], p.firstRow - start);
                } else if (from < to) {
                    p.run(from - p.firstRow, to - p.firstRow, aside == null ? p.out : aside,
                            aside == null ? p.outOffset : p.firstRow - start);
                }
            }
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

    /**
     * Rows {@code [start, end)} through the regrouped copy ({@link InterleavedRows}), two groups at a time where the
     * range holds both ({@link InterleavedRows#dotPair}), and rows past its last whole group through {@link #fused}.
     * A group the range cuts (when a matrix follows others' rows in a {@link Products} list) is computed whole into a
     * buffer, so every row has the same value however the rows are split among threads.
     */
    private static void interleaved(WeightMatrix w, InterleavedRows groups, float[][] codes, short[][] codes16, short[][] sums,
                                    float[][] scales, float[][] out, int outOffset, int start, int end) {
        int group = InterleavedRows.GROUP;
        int grouped = groups.groups() * group;
        float[] cut = null;
        // one vector (decode) on a product that is not folded (its rows or its place in the operation off the grid of
        // Folded, which takes the others before they get here): the range's whole pairs of groups, its first half read
        // beside its second
        int pairedFrom = -1;
        int pairedTo = -1;
        if (codes16.length == 1 && groups.readsTwoPairsAtOnce()) {
            int first = (start + InterleavedRows.PAIR - 1) / InterleavedRows.PAIR * 2;
            int last = Math.min(end, grouped) / InterleavedRows.PAIR * 2;
            int pairs = (last - first) / 2;
            if (pairs >= 2) {
                int half = pairs / 2;
                for (int q = 0; q < half; q++) {
                    int a = first + 2 * q;
                    int b = first + 2 * (half + q);
                    groups.dotTwoPairs(a, b, codes16[0], sums[0], scales[0], out[0], outOffset + a * group, outOffset + b * group);
                }
                if (pairs % 2 == 1) {
                    groups.dotPair(last - 2, codes16[0], sums[0], scales[0], out[0], outOffset + (last - 2) * group);
                }
                pairedFrom = first;
                pairedTo = last;
            }
        }
        for (int g = start / group; g * group < Math.min(end, grouped); g++) {
            if (g == pairedFrom) {
                g = pairedTo - 1;
                continue;
            }
            int from = Math.max(start, g * group);
            int to = Math.min(end, (g + 1) * group);
            if (g % 2 == 0 && from == g * group && (g + 2) * group <= Math.min(end, grouped)) {
                int t = 0;
                for (; t + 1 < codes16.length; t += 2) {
                    groups.dotPairForTwo(g, codes16[t], sums[t], scales[t], out[t], outOffset + g * group,
                            codes16[t + 1], sums[t + 1], scales[t + 1], out[t + 1], outOffset + g * group);
                }
                for (; t < codes16.length; t++) {
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
