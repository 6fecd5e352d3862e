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
 * <p>Why 16 bits suffice: with activation codes a in [-127, 127] the block sum Σ(q-8)·a lies within
 * ±32·8·127 = ±32512. It is computed as Σq·a − 8·Σa in wrapping 16-bit arithmetic, exact modulo 2^16, and a
 * value in that range is its own residue. Lanes alternate between the group's first and second sixteen rows,
 * so the 32 sums split into rows 0-15 and 16-31, widened to 32 bits, with three shifts. The codes are split with
 * 32-bit shifts and a mask that clears what crosses from one 16-bit lane into the next: the JIT compiles 16-bit
 * shifts by a constant into a shift by a register it reloads inside the loop.
 */
final class InterleavedQ4_0 extends InterleavedRows {
    private static final int BLOCK_BYTES = 18 * GROUP;
    private static final int NIBBLES = 0x000F000F;

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
        for (int lane = 0; lane < GROUP; lane++) {
            int codes = rowOfLane(lane) * rowBytes + from + 2;
            for (int quad = 0; quad < 8; quad++) {
                int packed = 0;
                for (int n = 0; n < 4; n++) {
                    int value = 4 * quad + n;
                    int pair = in[codes + (value & 15)] & 0xFF;
                    packed |= (value < 16 ? pair & 15 : pair >>> 4) << (4 * n);
                }
                int to = at + 64 + 64 * quad + 2 * lane;
                out[to] = (byte) packed;
                out[to + 1] = (byte) (packed >>> 8);
            }
        }
        return true;
    }

    @Override
    void dot(int group, short[] a, short[] sums, float[] scales, float[] out, int outOffset) {
        checkActivation(a, sums, scales, 32);
        MemorySegment seg = data;
        long first = lineAt(group, 0, 0);
        long line = lineStride(group);
        long blockStride = line * (BLOCK_BYTES / LINE);
        IntVector nibbles = IntVector.broadcast(INTS, NIBBLES);
        FloatVector low = FloatVector.zero(FLOATS);
        FloatVector high = low;
        for (int b = 0; b < blocks; b++) {
            long base = first + b * blockStride;
            int k = b * 32;
            ShortVector s = ShortVector.zero(SHORTS);
            for (int q = 0; q < 8; q++) {
                IntVector w = IntVector.fromMemorySegment(INTS, seg, base + line + line * q, LE);
                int kq = k + 4 * q;
                s = SHORT_VECTOR.cast(s.add(w.and(nibbles).reinterpretAsShorts().mul(a[kq])
                                .add(w.lanewise(VectorOperators.LSHR, 4).and(nibbles).reinterpretAsShorts().mul(a[kq + 1])))
                        .add(w.lanewise(VectorOperators.LSHR, 8).and(nibbles).reinterpretAsShorts().mul(a[kq + 2])
                                .add(w.lanewise(VectorOperators.LSHR, 12).and(nibbles).reinterpretAsShorts().mul(a[kq + 3]))));
            }
            short centre = (short) ((sums[4 * b] + sums[4 * b + 1] + sums[4 * b + 2] + sums[4 * b + 3]) << 3);
            IntVector wide = s.sub(centre).reinterpretAsInts();
            FloatVector lowSums = (FloatVector) wide.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .convertShape(VectorOperators.I2F, FLOATS, 0);
            FloatVector highSums = (FloatVector) wide.lanewise(VectorOperators.ASHR, 16).convertShape(VectorOperators.I2F, FLOATS, 0);
            IntVector d = IntVector.fromMemorySegment(INTS, seg, base, LE);
            float xs = scales[b];
            low = FLOAT_VECTOR.cast(lowSums.fma(lowHalves(d).mul(xs), low));
            high = FLOAT_VECTOR.cast(highSums.fma(highHalves(d).mul(xs), high));
        }
        low.intoArray(out, outOffset);
        high.intoArray(out, outOffset + 16);
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
        checkActivation(a, sums, scales, 32);
        MemorySegment seg = data;
        long first = lineAt(group, 0, 0);
        IntVector nibbles = IntVector.broadcast(INTS, NIBBLES);
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
            IntVector w = IntVector.fromMemorySegment(INTS, seg, at, LE);
            IntVector v = IntVector.fromMemorySegment(INTS, seg, at + LINE, LE);
            int kq = 4 * i;
            ShortVector a0 = ShortVector.broadcast(SHORTS, a[kq]);
            ShortVector a1 = ShortVector.broadcast(SHORTS, a[kq + 1]);
            ShortVector a2 = ShortVector.broadcast(SHORTS, a[kq + 2]);
            ShortVector a3 = ShortVector.broadcast(SHORTS, a[kq + 3]);
            s = SHORT_VECTOR.cast(s.add(w.and(nibbles).reinterpretAsShorts().mul(a0)
                            .add(w.lanewise(VectorOperators.LSHR, 4).and(nibbles).reinterpretAsShorts().mul(a1)))
                    .add(w.lanewise(VectorOperators.LSHR, 8).and(nibbles).reinterpretAsShorts().mul(a2)
                            .add(w.lanewise(VectorOperators.LSHR, 12).and(nibbles).reinterpretAsShorts().mul(a3))));
            t = SHORT_VECTOR.cast(t.add(v.and(nibbles).reinterpretAsShorts().mul(a0)
                            .add(v.lanewise(VectorOperators.LSHR, 4).and(nibbles).reinterpretAsShorts().mul(a1)))
                    .add(v.lanewise(VectorOperators.LSHR, 8).and(nibbles).reinterpretAsShorts().mul(a2)
                            .add(v.lanewise(VectorOperators.LSHR, 12).and(nibbles).reinterpretAsShorts().mul(a3))));
            if ((i & 7) != 7) {
                continue;
            }
            int b = i >> 3;
            long base = first + (long) b * 2 * BLOCK_BYTES;
            short centre = (short) ((sums[4 * b] + sums[4 * b + 1] + sums[4 * b + 2] + sums[4 * b + 3]) << 3);
            float xs = scales[b];
            IntVector wide = s.sub(centre).reinterpretAsInts();
            IntVector d = IntVector.fromMemorySegment(INTS, seg, base, LE);
            low = FLOAT_VECTOR.cast(((FloatVector) wide.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .convertShape(VectorOperators.I2F, FLOATS, 0))
                    .fma(d.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(HALF_BITS).reinterpretAsFloats().mul(HALF_BIAS).mul(xs), low));
            high = FLOAT_VECTOR.cast(((FloatVector) wide.lanewise(VectorOperators.ASHR, 16).convertShape(VectorOperators.I2F, FLOATS, 0))
                    .fma(d.lanewise(VectorOperators.ASHR, 3).and(HALF_BITS).reinterpretAsFloats().mul(HALF_BIAS).mul(xs), high));
            IntVector wide2 = t.sub(centre).reinterpretAsInts();
            IntVector d2 = IntVector.fromMemorySegment(INTS, seg, base + LINE, LE);
            low2 = FLOAT_VECTOR.cast(((FloatVector) wide2.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .convertShape(VectorOperators.I2F, FLOATS, 0))
                    .fma(d2.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(HALF_BITS).reinterpretAsFloats().mul(HALF_BIAS).mul(xs), low2));
            high2 = FLOAT_VECTOR.cast(((FloatVector) wide2.lanewise(VectorOperators.ASHR, 16).convertShape(VectorOperators.I2F, FLOATS, 0))
                    .fma(d2.lanewise(VectorOperators.ASHR, 3).and(HALF_BITS).reinterpretAsFloats().mul(HALF_BIAS).mul(xs), high2));
            s = zero;
            t = zero;
        }
        low.intoArray(out, outOffset);
        high.intoArray(out, outOffset + 16);
        low2.intoArray(out, outOffset + 32);
        high2.intoArray(out, outOffset + 48);
    }
}
