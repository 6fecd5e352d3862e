package io.moe4j.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

/**
 * Q4_0 in groups of 32 rows ({@link InterleavedRows}), multiplied in 16-bit integers, two groups at a time.
 *
 * <p>A group's block (576 bytes, as the file's) is nine 64-byte lines: first the scales, 32-bit lane i holding
 * row i's fp16 {@code d} in its low half and row 16+i's in its high half; then eight quads of 32 16-bit lanes,
 * lane j of quad q holding the codes of values 4q..4q+3 of row {@link #rowOfLane}(j), four bits each, lowest
 * first. Groups 2p and 2p+1 alternate line by line ({@link InterleavedRows#lineAt}), so that {@link #dotPair} reads both in one
 * sequential stream and broadcasts each activation code once for 64 rows: the broadcasts were a quarter of the
 * single-group kernel's time, and two groups read as two streams, 37 KB apart, came from memory slower than one
 * group (2026-11-30, JMH, 2 threads on a 151 MB matrix: 30 against 37 GB/s; interleaved line by line 41-50).
 * A last group without a partner keeps its lines in order.
 *
 * <p>One activation ({@link #dot}, {@link #dotPair}, decode): each 16-bit lane w holds four codes c0..c3, and
 * Σ ck·ak = w·a0 + (w>>>4)·(a1-16a0) + (w>>>8)·(a2-16a1) + (w>>>12)·(a3-16a2) modulo 2^16 (the higher codes that
 * a shifted word still holds cancel against the next term's -16·a), so a line takes three shifts and four
 * multiplies by the differences {@link #prepare} wrote after the codes, with no masks; the block's sum is centred
 * once, by -8·Σa. Measured 2026-11-30, dotPair alone alternating with the looked-up kernel below within one
 * process: 1.17x and 1.21x on a copy in the second-level cache (one thread, 512 x 2048), 1.07x from memory (one
 * thread, a 302 MB copy); olmoe Q4_0 decode 1.033x and 1.002x (scripts/ab-builds.sh, 20 windows, both orders),
 * which reads memory at the VM's speed either way.
 *
 * <p>Two activations ({@link #dotPairForTwo}, prefill) look their products up instead: for each activation code a,
 * a table of the sixteen products (q-8)·a (twice over, one 512-bit vector of 32 lanes) is made with one multiply,
 * and each lane of codes picks its product with one permute ({@code selectFrom}, vpermw), which takes its index
 * modulo 32, so the codes need only be shifted into the low bits of their lane. There the differences took 16
 * multiplies a pair of lines against 8, and ran 0.74-0.90x as fast (the vectors of both activations and their
 * accumulators outgrow the registers); the block sums are the same integers either way, so every row comes out
 * the same from both kernels.
 *
 * <p>Why 16 bits suffice: with activation codes a in [-127, 127] the block sum Σ(q-8)·a lies within
 * ±32·8·127 = ±32512. It is summed in wrapping 16-bit arithmetic, exact modulo 2^16, and a value in that range is
 * its own residue. Lanes alternate between the group's first and second sixteen rows, so the 32 sums split into
 * rows 0-15 and 16-31, widened to 32 bits, with three shifts. (The JIT compiles a 16-bit shift by a constant into
 * a shift by a register it reloads inside the loop; the looked-up kernel shifts 32-bit lanes instead, the permute
 * ignoring what crosses into the upper half. Shifting by a vector of counts made dotPair slower, 1.02x against
 * 1.17x.)
 */
final class InterleavedQ4_0 extends InterleavedRows {
    private static final int BLOCK_BYTES = 18 * GROUP;
    /** Lane i: (i mod 16) - 8, a Q4_0 code centred; times an activation code, the table of its products (Q5_0's too). */
    static final short[] CENTRED_CODES = new short[32];

    static {
        for (int i = 0; i < CENTRED_CODES.length; i++) {
            CENTRED_CODES[i] = (short) ((i & 15) - 8);
        }
    }

    /**
     * Whether two activations go through the look-up kernel ({@link #dotPairForTwo}): with 512-bit vectors, whose
     * 16-bit permute is one instruction (vpermw). AVX2 has none; the JIT's permute of 16 lanes took 2.8x the time of a
     * 16-bit multiply there, and an olmoe Q4_0 prefill ran at 0.43x (6.1 against 14.0 tok/s), so narrower vectors
     * take each activation through {@link #dotPair}.
     */
    static final boolean LOOKS_UP = SHORTS.vectorBitSize() >= 512;

    InterleavedQ4_0(MemorySegment data, int blocks, int groups) {
        super(data, blocks, groups, BLOCK_BYTES);
    }

    /** Row of the group whose codes lane {@code lane} holds. */
    static int rowOfLane(int lane) {
        return (lane & 1) == 0 ? lane / 2 : GROUP / 2 + lane / 2;
    }

    /** The block at {@code from} in each of 32 rows {@code rowBytes} apart into {@code out[at..at+576)}; false if a scale is not finite. */
    static boolean regroupBlock(byte[] in, int rowBytes, int from, byte[] out, int at) {
        if (!pairHalves(in, rowBytes, from, out, at)) {
            return false;
        }
        regroupNibbles(in, rowBytes, from + 2, out, at + LINE);
        return true;
    }

    /**
     * The 16 bytes of 32 four-bit codes at {@code codes} in each of 32 rows {@code rowBytes} apart (value j in the low
     * nibble of byte j, value 16+j in its high nibble, as Q4_0 and Q5_0 store them) into eight lines at
     * {@code out[at..at+512)}: lane j of line q holding values 4q..4q+3 of row {@link #rowOfLane}(j), lowest first.
     */
    static void regroupNibbles(byte[] in, int rowBytes, int codes, byte[] out, int at) {
        for (int lane = 0; lane < GROUP; lane++) {
            int row = rowOfLane(lane) * rowBytes + codes;
            for (int quad = 0; quad < 8; quad++) {
                int packed = 0;
                for (int n = 0; n < 4; n++) {
                    int value = 4 * quad + n;
                    int pair = in[row + (value & 15)] & 0xFF;
                    packed |= (value < 16 ? pair & 15 : pair >>> 4) << (4 * n);
                }
                Bits.putU16(out, at + LINE * quad + 2 * lane, (short) packed);
            }
        }
    }

    @Override
    void dot(int group, short[] a, short[] sums, float[] scales, float[] out, int outOffset) {
        checkDifferences(a, sums, scales);
        int differences = blocks * 32;
        MemorySegment seg = data;
        long first = lineAt(group, 0, 0);
        long line = lineStride(group);
        long blockStride = line * (BLOCK_BYTES / LINE);
        FloatVector low = FloatVector.zero(FLOATS);
        FloatVector high = low;
        for (int b = 0; b < blocks; b++) {
            long base = first + b * blockStride;
            int k = b * 32;
            ShortVector s = ShortVector.zero(SHORTS);
            for (int q = 0; q < 8; q++) {
                ShortVector w = ShortVector.fromMemorySegment(SHORTS, seg, base + line + line * q, LE);
                int kq = differences + k + 4 * q;
                s = SHORT_VECTOR.cast(s.add(w.mul(a[kq]).add(w.lanewise(VectorOperators.LSHR, 4).mul(a[kq + 1])))
                        .add(w.lanewise(VectorOperators.LSHR, 8).mul(a[kq + 2]).add(w.lanewise(VectorOperators.LSHR, 12).mul(a[kq + 3]))));
            }
            IntVector wide = s.add(centring(sums, b)).reinterpretAsInts();
            FloatVector lowSums = (FloatVector) wide.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .convertShape(VectorOperators.I2F, FLOATS, 0);
            FloatVector highSums = (FloatVector) wide.lanewise(VectorOperators.ASHR, 16).convertShape(VectorOperators.I2F, FLOATS, 0);
            IntVector d = IntVector.fromMemorySegment(INTS, seg, base, LE);
            float xs = scales[b];
            low = FLOAT_VECTOR.cast(lowSums.fma(lowHalves(d).mul(xs), low));
            high = FLOAT_VECTOR.cast(highSums.fma(highHalves(d).mul(xs), high));
        }
        low.intoArray(out, outOffset);
        high.intoArray(out, outOffset + HALF);
    }

    /** {@link #checkActivation}, and room for the differences {@link #prepare} writes after the codes. */
    private void checkDifferences(short[] codes, short[] sums, float[] scales) {
        checkActivation(codes, sums, scales, 32);
        java.util.Objects.checkFromIndexSize(0, preparedLength(blocks * 32), codes.length);
    }

    /** -8·Σa over block {@code block}: what centres its unsigned codes, from the activation's sums of runs of eight. */
    private static short centring(short[] sums, int block) {
        int run = 4 * block;
        return (short) (-8 * (sums[run] + sums[run + 1] + sums[run + 2] + sums[run + 3]));
    }

    /*
     * The same arithmetic as dot, in the same order, for both groups of a pair, so that each row comes out the same
     * whichever of the two computes it. One loop over all lines, a block's end handled every eighth: nested in a loop
     * over blocks, the eight-line loop paid the JIT's loop set-up (range checks, pre- and post-loops) once per block,
     * and the kernel ran 36 GB/s from cache on one thread against 44-45 flat (JMH, 4096 x 2048). The scale
     * conversions are written out rather than called: past the JIT's inlining node budget (which this loop's size
     * reaches) a call to lowHalves stayed a call and boxed its vector.
     */
    @Override
    void dotPair(int group, short[] a, short[] sums, float[] scales, float[] out, int outOffset) {
        if (!startsPair(group)) {
            super.dotPair(group, a, sums, scales, out, outOffset);
            return;
        }
        checkDifferences(a, sums, scales);
        int differences = blocks * 32;
        MemorySegment seg = data;
        long first = lineAt(group, 0, 0);
        FloatVector low = FloatVector.zero(FLOATS);
        FloatVector high = low;
        FloatVector low2 = low;
        FloatVector high2 = low;
        ShortVector s = ShortVector.zero(SHORTS);
        ShortVector t = s;
        ShortVector zero = s;
        int lines = blocks * 8;
        for (int i = 0; i < lines; i++) {
            long at = first + 2L * LINE * (i + (i >> 3) + 1);
            ShortVector w = ShortVector.fromMemorySegment(SHORTS, seg, at, LE);
            ShortVector v = ShortVector.fromMemorySegment(SHORTS, seg, at + LINE, LE);
            int kq = differences + 4 * i;
            short d0 = a[kq];
            short d1 = a[kq + 1];
            short d2 = a[kq + 2];
            short d3 = a[kq + 3];
            s = SHORT_VECTOR.cast(s.add(w.mul(d0).add(w.lanewise(VectorOperators.LSHR, 4).mul(d1)))
                    .add(w.lanewise(VectorOperators.LSHR, 8).mul(d2).add(w.lanewise(VectorOperators.LSHR, 12).mul(d3))));
            t = SHORT_VECTOR.cast(t.add(v.mul(d0).add(v.lanewise(VectorOperators.LSHR, 4).mul(d1)))
                    .add(v.lanewise(VectorOperators.LSHR, 8).mul(d2).add(v.lanewise(VectorOperators.LSHR, 12).mul(d3))));
            if ((i & 7) != 7) {
                continue;
            }
            int b = i >> 3;
            long base = first + (long) b * 2 * BLOCK_BYTES;
            float xs = scales[b];
            short centring = centring(sums, b);
            IntVector wide = s.add(centring).reinterpretAsInts();
            IntVector d = IntVector.fromMemorySegment(INTS, seg, base, LE);
            low = FLOAT_VECTOR.cast(((FloatVector) wide.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .convertShape(VectorOperators.I2F, FLOATS, 0))
                    .fma(d.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(HALF_BITS).reinterpretAsFloats().mul(HALF_BIAS).mul(xs), low));
            high = FLOAT_VECTOR.cast(((FloatVector) wide.lanewise(VectorOperators.ASHR, 16).convertShape(VectorOperators.I2F, FLOATS, 0))
                    .fma(d.lanewise(VectorOperators.ASHR, 3).and(HALF_BITS).reinterpretAsFloats().mul(HALF_BIAS).mul(xs), high));
            IntVector wide2 = t.add(centring).reinterpretAsInts();
            IntVector e = IntVector.fromMemorySegment(INTS, seg, base + LINE, LE);
            low2 = FLOAT_VECTOR.cast(((FloatVector) wide2.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .convertShape(VectorOperators.I2F, FLOATS, 0))
                    .fma(e.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(HALF_BITS).reinterpretAsFloats().mul(HALF_BIAS).mul(xs), low2));
            high2 = FLOAT_VECTOR.cast(((FloatVector) wide2.lanewise(VectorOperators.ASHR, 16).convertShape(VectorOperators.I2F, FLOATS, 0))
                    .fma(e.lanewise(VectorOperators.ASHR, 3).and(HALF_BITS).reinterpretAsFloats().mul(HALF_BIAS).mul(xs), high2));
            s = zero;
            t = zero;
        }
        low.intoArray(out, outOffset);
        high.intoArray(out, outOffset + HALF);
        low2.intoArray(out, outOffset + GROUP);
        high2.intoArray(out, outOffset + GROUP + HALF);
    }

    @Override
    boolean readsTwoPairsAtOnce() {
        return true;
    }

    @Override
    void dotTwoPairs(int firstGroup, int secondGroup, short[] a, short[] sums, float[] scales, float[] out, int offsetFirst, int offsetSecond) {
        if (!startsPair(firstGroup) || !startsPair(secondGroup)) {
            super.dotTwoPairs(firstGroup, secondGroup, a, sums, scales, out, offsetFirst, offsetSecond);
            return;
        }
        checkDifferences(a, sums, scales);
        twoPairs(this, firstGroup, secondGroup, a, sums, blocks * 32, scales, out, offsetFirst, offsetSecond);
    }

    /*
     * dotPair's arithmetic, in the same order, for two pairs read side by side: two streams a thread. From memory, with
     * one stream a thread the memory idles while the kernel computes; with two (a scratch harness, two threads, a
     * 302 MB copy, alternating within one process) the kernel read 1.08-1.25x as fast, 1.12-1.15x with the two pairs
     * 590 KB apart (an olmoe expert's halves), from cache 1.02-1.11x. The blocks' float sums go through the outputs, not
     * registers: with eight float accumulators in registers the two-activation kernel spilled them every line. The block
     * ends are written out (called, they stayed calls and boxed). Static, with its arrays as arguments, and not inlined
     * (too large), it is compiled on its own: written as an instance method with its checks, the loop spilled seven
     * registers a line and decode ran 0.93x.
     */
    private static void twoPairs(InterleavedQ4_0 m, int firstGroup, int secondGroup, short[] a, short[] sums, int differences,
                                 float[] scales, float[] out, int offsetFirst, int offsetSecond) {
        MemorySegment seg = m.data;
        int blocks = m.blocks;
        long first = m.lineAt(firstGroup, 0, 0);
        long second = m.lineAt(secondGroup, 0, 0);
        java.util.Arrays.fill(out, offsetFirst, offsetFirst + PAIR, 0f);
        java.util.Arrays.fill(out, offsetSecond, offsetSecond + PAIR, 0f);
        ShortVector zero = ShortVector.zero(SHORTS);
        ShortVector s = zero;
        ShortVector t = zero;
        ShortVector u = zero;
        ShortVector v = zero;
        int lines = blocks * 8;
        for (int i = 0; i < lines; i++) {
            long at = 2L * LINE * (i + (i >> 3) + 1);
            ShortVector w = ShortVector.fromMemorySegment(SHORTS, seg, first + at, LE);
            ShortVector x = ShortVector.fromMemorySegment(SHORTS, seg, first + at + LINE, LE);
            ShortVector y = ShortVector.fromMemorySegment(SHORTS, seg, second + at, LE);
            ShortVector z = ShortVector.fromMemorySegment(SHORTS, seg, second + at + LINE, LE);
            int kq = differences + 4 * i;
            short d0 = a[kq];
            short d1 = a[kq + 1];
            short d2 = a[kq + 2];
            short d3 = a[kq + 3];
            s = SHORT_VECTOR.cast(s.add(w.mul(d0).add(w.lanewise(VectorOperators.LSHR, 4).mul(d1)))
                    .add(w.lanewise(VectorOperators.LSHR, 8).mul(d2).add(w.lanewise(VectorOperators.LSHR, 12).mul(d3))));
            t = SHORT_VECTOR.cast(t.add(x.mul(d0).add(x.lanewise(VectorOperators.LSHR, 4).mul(d1)))
                    .add(x.lanewise(VectorOperators.LSHR, 8).mul(d2).add(x.lanewise(VectorOperators.LSHR, 12).mul(d3))));
            u = SHORT_VECTOR.cast(u.add(y.mul(d0).add(y.lanewise(VectorOperators.LSHR, 4).mul(d1)))
                    .add(y.lanewise(VectorOperators.LSHR, 8).mul(d2).add(y.lanewise(VectorOperators.LSHR, 12).mul(d3))));
            v = SHORT_VECTOR.cast(v.add(z.mul(d0).add(z.lanewise(VectorOperators.LSHR, 4).mul(d1)))
                    .add(z.lanewise(VectorOperators.LSHR, 8).mul(d2).add(z.lanewise(VectorOperators.LSHR, 12).mul(d3))));
            if ((i & 7) != 7) {
                continue;
            }
            int b = i >> 3;
            float xs = scales[b];
            // centring(sums, b) written out: called here, it cost the loop its compact form (319 instructions a line
            // quad with 41 stack accesses, against 101 and 5; the JIT's code, 2026-12-01)
            int run = 4 * b;
            short centring = (short) (-8 * (sums[run] + sums[run + 1] + sums[run + 2] + sums[run + 3]));
            long blockAt = (long) b * 2 * BLOCK_BYTES;
            {
                IntVector wide = s.add(centring).reinterpretAsInts();
                IntVector d = IntVector.fromMemorySegment(INTS, seg, first + blockAt, LE);
                ((FloatVector) wide.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).convertShape(VectorOperators.I2F, FLOATS, 0))
                        .fma(d.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(HALF_BITS).reinterpretAsFloats().mul(HALF_BIAS).mul(xs),
                                FloatVector.fromArray(FLOATS, out, offsetFirst)).intoArray(out, offsetFirst);
                ((FloatVector) wide.lanewise(VectorOperators.ASHR, 16).convertShape(VectorOperators.I2F, FLOATS, 0))
                        .fma(d.lanewise(VectorOperators.ASHR, 3).and(HALF_BITS).reinterpretAsFloats().mul(HALF_BIAS).mul(xs),
                                FloatVector.fromArray(FLOATS, out, offsetFirst + HALF)).intoArray(out, offsetFirst + HALF);
            }
            {
                IntVector wide = t.add(centring).reinterpretAsInts();
                IntVector d = IntVector.fromMemorySegment(INTS, seg, first + blockAt + LINE, LE);
                ((FloatVector) wide.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).convertShape(VectorOperators.I2F, FLOATS, 0))
                        .fma(d.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(HALF_BITS).reinterpretAsFloats().mul(HALF_BIAS).mul(xs),
                                FloatVector.fromArray(FLOATS, out, offsetFirst + GROUP)).intoArray(out, offsetFirst + GROUP);
                ((FloatVector) wide.lanewise(VectorOperators.ASHR, 16).convertShape(VectorOperators.I2F, FLOATS, 0))
                        .fma(d.lanewise(VectorOperators.ASHR, 3).and(HALF_BITS).reinterpretAsFloats().mul(HALF_BIAS).mul(xs),
                                FloatVector.fromArray(FLOATS, out, offsetFirst + GROUP + HALF)).intoArray(out, offsetFirst + GROUP + HALF);
            }
            {
                IntVector wide = u.add(centring).reinterpretAsInts();
                IntVector d = IntVector.fromMemorySegment(INTS, seg, second + blockAt, LE);
                ((FloatVector) wide.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).convertShape(VectorOperators.I2F, FLOATS, 0))
                        .fma(d.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(HALF_BITS).reinterpretAsFloats().mul(HALF_BIAS).mul(xs),
                                FloatVector.fromArray(FLOATS, out, offsetSecond)).intoArray(out, offsetSecond);
                ((FloatVector) wide.lanewise(VectorOperators.ASHR, 16).convertShape(VectorOperators.I2F, FLOATS, 0))
                        .fma(d.lanewise(VectorOperators.ASHR, 3).and(HALF_BITS).reinterpretAsFloats().mul(HALF_BIAS).mul(xs),
                                FloatVector.fromArray(FLOATS, out, offsetSecond + HALF)).intoArray(out, offsetSecond + HALF);
            }
            {
                IntVector wide = v.add(centring).reinterpretAsInts();
                IntVector d = IntVector.fromMemorySegment(INTS, seg, second + blockAt + LINE, LE);
                ((FloatVector) wide.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).convertShape(VectorOperators.I2F, FLOATS, 0))
                        .fma(d.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(HALF_BITS).reinterpretAsFloats().mul(HALF_BIAS).mul(xs),
                                FloatVector.fromArray(FLOATS, out, offsetSecond + GROUP)).intoArray(out, offsetSecond + GROUP);
                ((FloatVector) wide.lanewise(VectorOperators.ASHR, 16).convertShape(VectorOperators.I2F, FLOATS, 0))
                        .fma(d.lanewise(VectorOperators.ASHR, 3).and(HALF_BITS).reinterpretAsFloats().mul(HALF_BIAS).mul(xs),
                                FloatVector.fromArray(FLOATS, out, offsetSecond + GROUP + HALF)).intoArray(out, offsetSecond + GROUP + HALF);
            }
            s = zero;
            t = zero;
            u = zero;
            v = zero;
        }
    }

    /**
     * {@link #dotPair} for two activations at once, each row the same as dotPair gives it: the pair's lines loaded and
     * their codes shifted once for both (a prefill's tokens multiply the same rows one after another).
     */
    @Override
    void dotPairForTwo(int group, short[] a, short[] sumsA, float[] scalesA, float[] outA, int offsetA,
                       short[] b, short[] sumsB, float[] scalesB, float[] outB, int offsetB) {
        if (!startsPair(group) || !LOOKS_UP) {
            super.dotPairForTwo(group, a, sumsA, scalesA, outA, offsetA, b, sumsB, scalesB, outB, offsetB);
            return;
        }
        checkActivation(a, sumsA, scalesA, 32);
        checkActivation(b, sumsB, scalesB, 32);
        MemorySegment seg = data;
        long first = lineAt(group, 0, 0);
        ShortVector codes = ShortVector.fromArray(SHORTS, CENTRED_CODES, 0);
        FloatVector lowA = FloatVector.zero(FLOATS);
        FloatVector highA = lowA;
        FloatVector lowA2 = lowA;
        FloatVector highA2 = lowA;
        FloatVector lowB = lowA;
        FloatVector highB = lowA;
        FloatVector lowB2 = lowA;
        FloatVector highB2 = lowA;
        ShortVector sA = ShortVector.zero(SHORTS);
        ShortVector tA = sA;
        ShortVector sB = sA;
        ShortVector tB = sA;
        ShortVector zero = sA;
        int lines = blocks * 8;
        for (int i = 0; i < lines; i++) {
            long at = first + 2L * LINE * (i + (i >> 3) + 1);
            IntVector w = IntVector.fromMemorySegment(INTS, seg, at, LE);
            IntVector v = IntVector.fromMemorySegment(INTS, seg, at + LINE, LE);
            ShortVector w0 = w.reinterpretAsShorts();
            ShortVector w1 = w.lanewise(VectorOperators.LSHR, 4).reinterpretAsShorts();
            ShortVector w2 = w.lanewise(VectorOperators.LSHR, 8).reinterpretAsShorts();
            ShortVector w3 = w.lanewise(VectorOperators.LSHR, 12).reinterpretAsShorts();
            ShortVector v0 = v.reinterpretAsShorts();
            ShortVector v1 = v.lanewise(VectorOperators.LSHR, 4).reinterpretAsShorts();
            ShortVector v2 = v.lanewise(VectorOperators.LSHR, 8).reinterpretAsShorts();
            ShortVector v3 = v.lanewise(VectorOperators.LSHR, 12).reinterpretAsShorts();
            int kq = 4 * i;
            ShortVector p0 = codes.mul(a[kq]);
            ShortVector p1 = codes.mul(a[kq + 1]);
            ShortVector p2 = codes.mul(a[kq + 2]);
            ShortVector p3 = codes.mul(a[kq + 3]);
            sA = SHORT_VECTOR.cast(sA.add(w0.selectFrom(p0).add(w1.selectFrom(p1))).add(w2.selectFrom(p2).add(w3.selectFrom(p3))));
            tA = SHORT_VECTOR.cast(tA.add(v0.selectFrom(p0).add(v1.selectFrom(p1))).add(v2.selectFrom(p2).add(v3.selectFrom(p3))));
            ShortVector q0 = codes.mul(b[kq]);
            ShortVector q1 = codes.mul(b[kq + 1]);
            ShortVector q2 = codes.mul(b[kq + 2]);
            ShortVector q3 = codes.mul(b[kq + 3]);
            sB = SHORT_VECTOR.cast(sB.add(w0.selectFrom(q0).add(w1.selectFrom(q1))).add(w2.selectFrom(q2).add(w3.selectFrom(q3))));
            tB = SHORT_VECTOR.cast(tB.add(v0.selectFrom(q0).add(v1.selectFrom(q1))).add(v2.selectFrom(q2).add(v3.selectFrom(q3))));
            if ((i & 7) != 7) {
                continue;
            }
            int blk = i >> 3;
            long base = first + (long) blk * 2 * BLOCK_BYTES;
            IntVector d = IntVector.fromMemorySegment(INTS, seg, base, LE);
            IntVector d2 = IntVector.fromMemorySegment(INTS, seg, base + LINE, LE);
            FloatVector dLow = d.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(HALF_BITS).reinterpretAsFloats().mul(HALF_BIAS);
            FloatVector dHigh = d.lanewise(VectorOperators.ASHR, 3).and(HALF_BITS).reinterpretAsFloats().mul(HALF_BIAS);
            FloatVector d2Low = d2.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(HALF_BITS).reinterpretAsFloats().mul(HALF_BIAS);
            FloatVector d2High = d2.lanewise(VectorOperators.ASHR, 3).and(HALF_BITS).reinterpretAsFloats().mul(HALF_BIAS);
            float xa = scalesA[blk];
            float xb = scalesB[blk];
            IntVector wa = sA.reinterpretAsInts();
            IntVector va = tA.reinterpretAsInts();
            IntVector wb = sB.reinterpretAsInts();
            IntVector vb = tB.reinterpretAsInts();
            lowA = FLOAT_VECTOR.cast(((FloatVector) wa.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .convertShape(VectorOperators.I2F, FLOATS, 0)).fma(dLow.mul(xa), lowA));
            highA = FLOAT_VECTOR.cast(((FloatVector) wa.lanewise(VectorOperators.ASHR, 16).convertShape(VectorOperators.I2F, FLOATS, 0))
                    .fma(dHigh.mul(xa), highA));
            lowA2 = FLOAT_VECTOR.cast(((FloatVector) va.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .convertShape(VectorOperators.I2F, FLOATS, 0)).fma(d2Low.mul(xa), lowA2));
            highA2 = FLOAT_VECTOR.cast(((FloatVector) va.lanewise(VectorOperators.ASHR, 16).convertShape(VectorOperators.I2F, FLOATS, 0))
                    .fma(d2High.mul(xa), highA2));
            lowB = FLOAT_VECTOR.cast(((FloatVector) wb.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .convertShape(VectorOperators.I2F, FLOATS, 0)).fma(dLow.mul(xb), lowB));
            highB = FLOAT_VECTOR.cast(((FloatVector) wb.lanewise(VectorOperators.ASHR, 16).convertShape(VectorOperators.I2F, FLOATS, 0))
                    .fma(dHigh.mul(xb), highB));
            lowB2 = FLOAT_VECTOR.cast(((FloatVector) vb.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .convertShape(VectorOperators.I2F, FLOATS, 0)).fma(d2Low.mul(xb), lowB2));
            highB2 = FLOAT_VECTOR.cast(((FloatVector) vb.lanewise(VectorOperators.ASHR, 16).convertShape(VectorOperators.I2F, FLOATS, 0))
                    .fma(d2High.mul(xb), highB2));
            sA = zero;
            tA = zero;
            sB = zero;
            tB = zero;
        }
        lowA.intoArray(outA, offsetA);
        highA.intoArray(outA, offsetA + HALF);
        lowA2.intoArray(outA, offsetA + GROUP);
        highA2.intoArray(outA, offsetA + GROUP + HALF);
        lowB.intoArray(outB, offsetB);
        highB.intoArray(outB, offsetB + HALF);
        lowB2.intoArray(outB, offsetB + GROUP);
        highB2.intoArray(outB, offsetB + GROUP + HALF);
    }
}
