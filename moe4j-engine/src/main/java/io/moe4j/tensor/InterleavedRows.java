package io.moe4j.tensor;

import io.moe4j.gguf.GgmlType;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.lang.ref.Cleaner;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A quantized matrix copied, for decode, into groups of {@link #GROUP} rows side by side: one vector lane per
 * row. One load then brings the same value of a group's rows, it is multiplied with one broadcast activation code in
 * integers, and each block's sums are exact before its scales are applied once per block. That takes a third to
 * a half of the instructions per weight of the row-at-a-time float kernels, which is what lets decode read
 * weights near the memory's speed: in the file's layout a core keeps too few loads in flight behind the
 * arithmetic (llama.cpp repacks Q4_0 rows the same way for the same reason).
 *
 * <p>A group is one vector's 16-bit lanes and a line one vector, so the kernels are written once for every width.
 * Sizes in the comments of these classes are those of 512-bit vectors (groups of 32 rows, 64-byte lines, pairs of
 * 64 rows); with 256-bit vectors, halve them: the layouts are the same lane by lane.
 *
 * <p>Each block of a group takes as many bytes as the group's rows' blocks in the file (Q4_K 3% more). The kernels
 * widen codes and scales with shifts and masks only: with the Vector API's widening conversions the bigger kernels
 * passed the JIT's inlining budget and boxed vectors inside their loops (the Q6_K kernel ran 3x slower). Rows
 * past the last whole group stay in the file's layout. Copies are made on a matrix's first decode product
 * ({@link WeightMatrix}) and together take at most half the machine's memory: past that, matrices keep the file's
 * layout instead of exhausting memory.
 */
abstract sealed class InterleavedRows permits InterleavedQ4_0, InterleavedQ5_0, InterleavedQ4_K, InterleavedQ6_K, InterleavedQ8_0 {
    /*
     * The kernels' vectors are the machine's widest (SPECIES_PREFERRED): 512 bits with AVX-512, 256 with AVX2 (and on
     * Intel CPUs where the JVM turns AVX-512 off, Skylake-SP before stepping 5), 128 with NEON. A group is as many rows
     * as a vector has 16-bit lanes, and a line one vector; every layout below is lane-wise, so the same kernels and
     * copies serve each width. (Kept to 512 bits, on an AVX2 machine the kernels ran the Vector API's Java fallbacks and
     * matrices kept the file's layout: olmoe Q4_0 decode at 4.2 tok/s, against 13.1 with the JVM let use AVX-512 on
     * the same Skylake-SP VM, 2026-12-01.)
     */
    static final VectorSpecies<Short> SHORTS = ShortVector.SPECIES_PREFERRED;
    static final VectorSpecies<Float> FLOATS = VectorSpecies.of(float.class, SHORTS.vectorShape());
    static final VectorSpecies<Integer> INTS = VectorSpecies.of(int.class, SHORTS.vectorShape());
    /** Rows of a group: one per 16-bit lane (32 with 512-bit vectors, 16 with 256). */
    static final int GROUP = SHORTS.length();
    /** Half a group: a 32-bit lane holds a row of each half, so a group's results come out as two float vectors of HALF rows. */
    static final int HALF = GROUP / 2;
    /** Rows of two groups: threads are given multiples of it, so that {@link #dotPair} finds pairs whole. */
    static final int PAIR = 2 * GROUP;
    /*
     * The exact classes of the kernels' vectors. A vector carried around a loop (an accumulator) is, to the JIT, of
     * the declared type (ShortVector) unless a type profile says otherwise: the value flowing back into it is the
     * result of a call on itself, so its exact type cannot be inferred. Where a kernel was compiled without a
     * profile, calls on such a vector stayed virtual, fell back to the Vector API's Java code and boxed every
     * vector: olmoe Q4_0 decode ran at 2.5-4 tok/s instead of 35-50 in 5 of about 70 processes (2026-11-30, most
     * with other changes being tried; docs/jmh.md). Accumulators are therefore cast to these classes when
     * reassigned, which keeps their type exact whatever the profile. (Starting
     * them from constant zero vectors instead of zero() made decode 3x slower: a constant object merged into a loop
     * phi keeps the JIT from eliminating the vectors' boxes.)
     */
    static final Class<? extends FloatVector> FLOAT_VECTOR = FloatVector.zero(FLOATS).getClass();
    static final Class<? extends IntVector> INT_VECTOR = IntVector.zero(INTS).getClass();
    static final Class<? extends ShortVector> SHORT_VECTOR = ShortVector.zero(SHORTS).getClass();
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final AtomicLong BUDGET = new AtomicLong(physicalMemory() / 2);
    /** Gives a copy's bytes back to the budget once the collector has freed it (its arena is automatic). */
    private static final Cleaner RETURNS = Cleaner.create();

    /** Bytes of a line: one vector, two per row of a group. */
    static final int LINE = SHORTS.vectorByteSize();

    final MemorySegment data;
    final int blocks;
    private final int groups;
    private final int blockBytes;

    InterleavedRows(MemorySegment data, int blocks, int groups, int blockBytes) {
        this.data = data;
        this.blocks = blocks;
        this.groups = groups;
        this.blockBytes = blockBytes;
    }

    /**
     * Whether this class has a regrouped copy and kernels for {@code type} on this machine's vectors: at least 128 bits
     * (eight rows a group). Q5_0's kernel looks up a table of sixteen products in each vector, which takes sixteen
     * 16-bit lanes (256 bits); with 128-bit vectors the index wrapped at eight and the products came out wrong.
     */
    static boolean hasKernels(GgmlType type) {
        return switch (type) {
            case Q4_0, Q8_0, Q4_K, Q6_K -> GROUP >= 8;
            case Q5_0 -> GROUP >= 16;
            default -> false;
        };
    }

    /**
     * Where line {@code line} of block {@code block} of group {@code group} lies in a copy of {@code groups} groups
     * of {@code blocks} blocks of {@code blockBytes} (a multiple of {@link #LINE}) that pairs lines: groups 2p and
     * 2p+1 alternate line by line, so that {@link #dotPair} reads both as one sequential stream; a last group without
     * a partner has its lines in order.
     */
    static long lineAt(int group, int groups, int blocks, int blockBytes, int block, int line) {
        long pairStart = (long) (group & ~1) * blocks * blockBytes;
        if ((group | 1) < groups) {
            return pairStart + (long) block * 2 * blockBytes + (2L * line + (group & 1)) * LINE;
        }
        return pairStart + (long) block * blockBytes + (long) line * LINE;
    }

    /** Whether {@code group} is the first of a pair whose lines alternate ({@link #lineAt}): even, with a partner after it. */
    final boolean startsPair(int group) {
        return (group & 1) == 0 && group + 1 < groups;
    }

    /** {@link #lineAt} in this copy. */
    final long lineAt(int group, int block, int line) {
        return lineAt(group, groups, blocks, blockBytes, block, line);
    }

    /** Bytes from one line of {@code group} to its next: twice {@link #LINE} where the group has a partner. */
    final long lineStride(int group) {
        return lineAt(group, 0, 1) - lineAt(group, 0, 0);
    }

    /** One group's regrouped blocks {@code group[0 .. blocks*blockBytes)} to their lines ({@link #lineAt}) in {@code copy}. */
    private static void storeLines(byte[] group, MemorySegment copy, int g, int groups, int blocks, int blockBytes) {
        for (int b = 0; b < blocks; b++) {
            for (int line = 0; line < blockBytes / LINE; line++) {
                MemorySegment.copy(group, b * blockBytes + line * LINE, copy, ValueLayout.JAVA_BYTE, lineAt(g, groups, blocks, blockBytes, b, line), LINE);
            }
        }
    }

    /** Whether a matrix of this type and shape can be regrouped here ({@link #hasKernels}, and a whole group of rows). */
    static boolean applies(GgmlType type, int rows, int cols) {
        return hasKernels(type) && rows >= GROUP && cols % type.blockSize() == 0;
    }

    /**
     * The most vectors of a product for which these kernels, run for one vector after another while a pair of
     * groups is in cache, beat decoding the rows to floats once for the whole batch (Matmul's float kernels).
     * Measured one thread, a 1024 x 2048 matrix in cache (2026-11-30, integer against float, G weights per
     * second): Q4_0 6.0 against 3.3 at 8 vectors and 1.2 against 0.7 at 64 (16-bit products of 4-bit codes are
     * cheap); Q8_0 4.1-4.7 against 2.4 at 8, 2.5 against 2.1-2.5 at 16, 1.6 against 1.6 at 24 and 1.0 against
     * 1.2 at 32 (its 32-bit products do no more per instruction than float multiply-adds); Q4_K and Q6_K 6.5
     * against 4.5 and 6.1 against 5.0 at 4, even at 8, and 0.4-1.0 against 1.2-1.3 at 32 with one group at a time;
     * with both groups of a pair at once, at 16 vectors Q4_K 1.9x and Q6_K 1.4x the float kernels (JMH, 1024 x 2048,
     * one thread, matrix products per second 1,792 against 919 and 1,244 against 878), and an olmoe-shaped Q4_K
     * prefill of 64 tokens 3-9% faster with 16 than with 8. With the Q4_K and Q6_K copies in reading order (same
     * benchmark, products per second): Q4_K 1,456 against 790 at 24 vectors, 1,130 against 701 at 32, 760 against 457
     * at 48, 579 against 353 at 64 and 275 against 165 at 128, so any batch; Q6_K 665 against 785 at 24; Q8_0 (two
     * groups at a time) 672 against 830 at 24 and 423 against 770 at 32. Q5_0: with one group at a time, any batch made a
     * tiny-code-moe Q4_K_M prefill of 128 tokens 0.80x as fast; with both groups of a pair, 1.008x against 0.993x for up
     * to 16 (each against the float kernels; scripts/ab-builds.sh, 2026-11-30), so 16.
     *
     * <p>With narrower vectors the integer kernels serve decode (and the fused kernels' two vectors) only: on 256-bit
     * vectors (an AVX2 Skylake-SP VM, 2026-12-01, scripts/ab-builds.sh, prefill windows) the float kernels prefilled
     * tiny-code-moe Q4_K_M's 128 tokens 1.18x as fast as the integer kernels token by token, Q8_0's 1.02x, and olmoe
     * Q4_0's 64 tokens 1.006x; AVX2 has no 16-bit permute, so Q4_0's look-up kernel is slower still there.
     */
    static int maxBatch(GgmlType type) {
        if (SHORTS.vectorBitSize() < 512) {
            return 1;
        }
        return switch (type) {
            case Q4_0, Q4_K -> Integer.MAX_VALUE;
            default -> 16;
        };
    }

    /**
     * The regrouped copy of the whole groups among {@code rows} rows of {@code type} starting at {@code offset},
     * made by the threads of {@code pool} (or the calling thread if null); null if the type has no kernels on this
     * machine's vectors ({@link #hasKernels}), the memory budget is spent or a block's scale is infinite or NaN (which
     * the kernels' scale conversion does not carry).
     */
    static InterleavedRows of(GgmlType type, MemorySegment src, long offset, int rows, int cols, ComputePool pool) {
        if (!hasKernels(type)) {
            return null;
        }
        int blocks = cols / type.blockSize();
        int groups = rows / GROUP;
        int blockBytes = (int) type.byteSize(type.blockSize());
        int inBytes = Math.toIntExact((long) blocks * blockBytes * GROUP);
        int groupBytes = Math.toIntExact((long) blocks * copyBlockBytes(type));
        long bytes = (long) groupBytes * groups;
        if (BUDGET.addAndGet(-bytes) < 0) {
            BUDGET.addAndGet(bytes);
            return null;
        }
        MemorySegment copy = LargePages.allocate(bytes);
        AtomicBoolean finite = new AtomicBoolean(true);
        ComputePool.RangeTask regroup = (first, end) -> {
            byte[] in = new byte[inBytes];
            byte[] out = new byte[groupBytes];
            for (int g = first; g < end && finite.get(); g++) {
                MemorySegment.copy(src, ValueLayout.JAVA_BYTE, offset + (long) g * inBytes, in, 0, inBytes);
                if (!regroup(type, in, blocks, out)) {
                    finite.set(false);
                }
                storeLines(out, copy, g, groups, blocks, copyBlockBytes(type));
            }
        };
        if (pool == null) {
            regroup.run(0, groups);
        } else {
            pool.forRange(groups, 1, regroup);
        }
        if (!finite.get()) {
            BUDGET.addAndGet(bytes);
            return null;
        }
        InterleavedRows grouped = switch (type) {
            case Q4_0 -> new InterleavedQ4_0(copy, blocks, groups);
            case Q5_0 -> new InterleavedQ5_0(copy, blocks, groups);
            case Q8_0 -> new InterleavedQ8_0(copy, blocks, groups);
            case Q4_K -> new InterleavedQ4_K(copy, blocks, groups);
            default -> new InterleavedQ6_K(copy, blocks, groups);
        };
        RETURNS.register(grouped, () -> BUDGET.addAndGet(bytes));
        return grouped;
    }

    /** One group's rows {@code in} (the file's layout) into {@code out}; false if a scale is not finite. */
    private static boolean regroup(GgmlType type, byte[] in, int blocks, byte[] out) {
        int blockBytes = (int) type.byteSize(type.blockSize());
        int rowBytes = blocks * blockBytes;
        for (int b = 0; b < blocks; b++) {
            int from = b * blockBytes;
            int at = b * copyBlockBytes(type);
            boolean finite = switch (type) {
                case Q4_0 -> InterleavedQ4_0.regroupBlock(in, rowBytes, from, out, at);
                case Q5_0 -> InterleavedQ5_0.regroupBlock(in, rowBytes, from, out, at);
                case Q4_K -> InterleavedQ4_K.regroupBlock(in, rowBytes, from, out, at);
                case Q8_0 -> InterleavedQ8_0.regroupBlock(in, rowBytes, from, out, at);
                case Q6_K -> InterleavedQ6_K.regroupBlock(in, rowBytes, from, out, at);
                default -> throw new IllegalArgumentException(type.toString());
            };
            if (!finite) {
                return false;
            }
        }
        return true;
    }

    /** Bytes a group's block takes in the copy: the group's rows' blocks in the file, but Q4_K stores its scales unpacked. */
    private static int copyBlockBytes(GgmlType type) {
        return type == GgmlType.Q4_K ? InterleavedQ4_K.BLOCK_BYTES : (int) type.byteSize(type.blockSize()) * GROUP;
    }

    /**
     * The fp16 scales at {@code from} in each of the 32 rows {@code rowBytes} apart as 16 32-bit lanes, lane i holding
     * row i's in its low half and row 16+i's in its high half ({@link #lowHalves}, {@link #highHalves}), into
     * {@code out[at..at+64)}; false if one is infinite or NaN.
     */
    static boolean pairHalves(byte[] in, int rowBytes, int from, byte[] out, int at) {
        for (int i = 0; i < GROUP / 2; i++) {
            int first = i * rowBytes + from;
            int second = (GROUP / 2 + i) * rowBytes + from;
            if ((in[first + 1] & 0x7C) == 0x7C || (in[second + 1] & 0x7C) == 0x7C) {
                return false;
            }
            out[at + 4 * i] = in[first];
            out[at + 4 * i + 1] = in[first + 1];
            out[at + 4 * i + 2] = in[second];
            out[at + 4 * i + 3] = in[second + 1];
        }
        return true;
    }

    /**
     * The fp16 values in the low halves of the lanes, as floats, exactly: the magnitude's bits moved into a float's
     * place and scaled by 2^112 re-bias the exponent (and make subnormals normal); the sign lands in place with
     * them. Shifts and masks only, which the JIT compiles into few nodes (its widening conversions take many).
     */
    static FloatVector lowHalves(IntVector pairs) {
        return pairs.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(HALF_BITS).reinterpretAsFloats().mul(HALF_BIAS);
    }

    /** {@link #lowHalves} for the high halves. */
    static FloatVector highHalves(IntVector pairs) {
        return pairs.lanewise(VectorOperators.ASHR, 3).and(HALF_BITS).reinterpretAsFloats().mul(HALF_BIAS);
    }

    /** The bits of an fp16 value shifted into a float's place that {@link #lowHalves} keeps: sign, exponent, mantissa. */
    static final int HALF_BITS = 0x8FFFE000;
    /** 2^(127-15): the difference between the float and fp16 exponent biases. */
    static final float HALF_BIAS = 0x1p112f;

    /** Whole groups of rows in the copy; rows from {@code groups() * GROUP} on are not in it. */
    final int groups() {
        return groups;
    }

    /** Values per sum that {@link #prepare} writes. */
    static final int SUM_RUN = 8;

    /** Length of the 16-bit array {@link #prepare} fills for {@code cols} codes: the codes, then their differences. */
    static int preparedLength(int cols) {
        return 2 * cols;
    }

    /**
     * The activation as the kernels take it: in {@code codes16}, the 8-bit codes as 16-bit integers, followed by
     * their differences ({@code codes16[cols + k]} is code k less 16 times code k-1, or code k itself where k is a
     * multiple of four: {@link InterleavedQ4_0} multiplies them with words of four codes shifted, without masks);
     * in {@code sums}, the sum of each run of {@link #SUM_RUN} codes (which the kernels use to centre the weights'
     * unsigned codes). {@code codes16} holds at least {@link #preparedLength}{@code (cols)}.
     */
    static void prepare(float[] codes, short[] codes16, short[] sums, int cols) {
        java.util.Objects.checkFromIndexSize(0, preparedLength(cols), codes16.length);
        int runs = cols / SUM_RUN;
        int end = runs * SUM_RUN;
        int i = 0;
        // in vectors: one value at a time this was 1.3 µs per 2048 codes, a decode step rounds about 14,000 per olmoe layer
        for (; i + Lanes.LENGTH <= end; i += Lanes.LENGTH) {
            IntVector c = (IntVector) FloatVector.fromArray(Lanes.FLOATS, codes, i).convertShape(VectorOperators.F2I, Lanes.INTS, 0);
            ((ShortVector) c.convertShape(VectorOperators.I2S, Lanes.SHORTS, 0)).intoArray(codes16, i);
        }
        for (; i < end; i++) {
            codes16[i] = (short) (int) codes[i];
        }
        for (int run = 0; run < runs; run++) {
            int b = SUM_RUN * run;
            sums[run] = (short) (codes16[b] + codes16[b + 1] + codes16[b + 2] + codes16[b + 3]
                    + codes16[b + 4] + codes16[b + 5] + codes16[b + 6] + codes16[b + 7]);
        }
        int k = 0;
        // a run of four codes is one 64-bit lane: shifted up by 16 bits, each code's lane holds the one before it (in
        // the kernels' vectors, at least 128 bits: Lanes.SHORTS is 64 with 128-bit float vectors, one long, which the JIT
        // does not compile to vector instructions)
        for (; k + SHORTS.length() <= end; k += SHORTS.length()) {
            ShortVector c = ShortVector.fromArray(SHORTS, codes16, k);
            ShortVector previous = c.reinterpretAsLongs().lanewise(VectorOperators.LSHL, 16).reinterpretAsShorts();
            c.sub(previous.lanewise(VectorOperators.LSHL, 4)).intoArray(codes16, cols + k);
        }
        for (; k < end; k += 4) {
            codes16[cols + k] = codes16[k];
            codes16[cols + k + 1] = (short) (codes16[k + 1] - 16 * codes16[k]);
            codes16[cols + k + 2] = (short) (codes16[k + 2] - 16 * codes16[k + 1]);
            codes16[cols + k + 3] = (short) (codes16[k + 3] - 16 * codes16[k + 2]);
        }
    }

    /**
     * Rows {@code 32·group .. 32·group+31} times an activation ({@link #prepare}d codes and sums, and one scale per
     * block of the type's activation format) into {@code out[outOffset .. outOffset+32)}.
     */
    abstract void dot(int group, short[] codes, short[] sums, float[] scales, float[] out, int outOffset);

    /**
     * {@link #dot} for groups {@code group} and {@code group+1} into {@code out[outOffset .. outOffset+64)}, each row
     * the same as {@link #dot} gives it. Types whose copy lays pairs of groups out together read both at once.
     */
    void dotPair(int group, short[] codes, short[] sums, float[] scales, float[] out, int outOffset) {
        dot(group, codes, sums, scales, out, outOffset);
        dot(group + 1, codes, sums, scales, out, outOffset + GROUP);
    }

    /**
     * {@link #dotPair} for the pairs starting at groups {@code first} and {@code second} into
     * {@code out[offsetFirst..+64)} and {@code out[offsetSecond..+64)}, each row the same as dotPair gives it. A kernel
     * may read the two pairs side by side, as two streams: from memory, one stream a thread leaves the memory idle
     * while the kernel computes.
     */
    void dotTwoPairs(int first, int second, short[] codes, short[] sums, float[] scales, float[] out, int offsetFirst, int offsetSecond) {
        dotPair(first, codes, sums, scales, out, offsetFirst);
        dotPair(second, codes, sums, scales, out, offsetSecond);
    }

    /** Whether {@link #dotTwoPairs} reads its two pairs side by side, rather than one after the other. */
    boolean readsTwoPairsAtOnce() {
        return false;
    }

    /** {@link #dotPair} for two activations: a kernel may share the work of reading the rows between them. */
    void dotPairForTwo(int group, short[] a, short[] sumsA, float[] scalesA, float[] outA, int offsetA,
                       short[] b, short[] sumsB, float[] scalesB, float[] outB, int offsetB) {
        dotPair(group, a, sumsA, scalesA, outA, offsetA);
        dotPair(group, b, sumsB, scalesB, outB, offsetB);
    }

    final void checkActivation(short[] codes, short[] sums, float[] scales, int blockSize) {
        java.util.Objects.checkFromIndexSize(0, blocks * blockSize, codes.length);
        java.util.Objects.checkFromIndexSize(0, blocks * blockSize / SUM_RUN, sums.length);
        java.util.Objects.checkFromIndexSize(0, blocks, scales.length);
    }

    private static long physicalMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return Runtime.getRuntime().maxMemory();
    }
}
