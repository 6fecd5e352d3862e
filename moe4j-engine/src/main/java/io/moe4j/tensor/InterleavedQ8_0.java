package io.moe4j.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

/**
 * Q8_0 in groups of 32 rows ({@link InterleavedRows}), multiplied in 32-bit integers: a block's sum is at most
 * 32·128·127 in magnitude.
 *
 * <p>Layout of a group's block (1088 bytes, as the file's): 64 bytes of scales in 32-bit lane pairs
 * ({@link InterleavedRows#pairHalves}: rows i and 16+i in lane i); then sixteen 64-byte runs, lane i of run p
 * holding codes 2p and 2p+1 of rows i and 16+i as four bytes (2p of row i, 2p of row 16+i, 2p+1 of row i,
 * 2p+1 of row 16+i). Each code is a shift pair away from its 32-bit lane: the JIT's widening conversions take
 * many more nodes to compile (see {@link InterleavedQ4_0}). As in {@link InterleavedQ4_0}, groups 2p and 2p+1
 * alternate line by line ({@link InterleavedRows#lineAt}) and {@link #dotPair} computes both, broadcasting each
 * activation code once for 64 rows.
 */
final class InterleavedQ8_0 extends InterleavedRows {
    private static final int BLOCK_BYTES = 34 * GROUP;

    InterleavedQ8_0(MemorySegment data, int blocks, int groups) {
        super(data, blocks, groups, BLOCK_BYTES);
    }

    /** The block at {@code from} in each of 32 rows {@code rowBytes} apart into {@code out[at..at+1088)}; false if a scale is not finite. */
    static boolean regroupBlock(byte[] in, int rowBytes, int from, byte[] out, int at) {
        if (!pairHalves(in, rowBytes, from, out, at)) {
            return false;
        }
        int half = GROUP / 2;
        for (int i = 0; i < half; i++) {
            int first = i * rowBytes + from + 2;
            int second = (half + i) * rowBytes + from + 2;
            for (int p = 0; p < 16; p++) {
                int to = at + 2 * GROUP + 2 * GROUP * p + 4 * i;
                out[to] = in[first + 2 * p];
                out[to + 1] = in[second + 2 * p];
                out[to + 2] = in[first + 2 * p + 1];
                out[to + 3] = in[second + 2 * p + 1];
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
        FloatVector low = FloatVector.zero(FLOATS);
        FloatVector high = low;
        for (int b = 0; b < blocks; b++) {
            long base = first + b * blockStride;
            int k = b * 32;
            IntVector s0 = IntVector.zero(INTS);
            IntVector s1 = s0;
            for (int p = 0; p < 16; p++) {
                IntVector w = IntVector.fromMemorySegment(INTS, seg, base + line + line * p, LE);
                int ae = a[k + 2 * p];
                int af = a[k + 2 * p + 1];
                s0 = INT_VECTOR.cast(s0.add(w.lanewise(VectorOperators.LSHL, 24).lanewise(VectorOperators.ASHR, 24).mul(ae))
                        .add(w.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 24).mul(af)));
                s1 = INT_VECTOR.cast(s1.add(w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 24).mul(ae))
                        .add(w.lanewise(VectorOperators.ASHR, 24).mul(af)));
            }
            IntVector d = IntVector.fromMemorySegment(INTS, seg, base, LE);
            float xs = scales[b];
            low = FLOAT_VECTOR.cast(((FloatVector) s0.convertShape(VectorOperators.I2F, FLOATS, 0)).fma(lowHalves(d).mul(xs), low));
            high = FLOAT_VECTOR.cast(((FloatVector) s1.convertShape(VectorOperators.I2F, FLOATS, 0)).fma(highHalves(d).mul(xs), high));
        }
        low.intoArray(out, outOffset);
        high.intoArray(out, outOffset + HALF);
    }

    /*
     * dot's arithmetic, in the same order, for both groups of a pair, in one loop over all lines with a block's end
     * every sixteenth, and the scale conversions written out (see InterleavedQ4_0.dotPair for why).
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
        FloatVector low = FloatVector.zero(FLOATS);
        FloatVector high = low;
        FloatVector low2 = low;
        FloatVector high2 = low;
        IntVector s0 = IntVector.zero(INTS);
        IntVector s1 = s0;
        IntVector t0 = s0;
        IntVector t1 = s0;
        IntVector zero = s0;
        int lines = blocks * 16;
        for (int i = 0; i < lines; i++) {
            long at = first + 2L * LINE * (i + (i >> 4) + 1);
            IntVector w = IntVector.fromMemorySegment(INTS, seg, at, LE);
            IntVector v = IntVector.fromMemorySegment(INTS, seg, at + LINE, LE);
            IntVector ae = IntVector.broadcast(INTS, a[2 * i]);
            IntVector af = IntVector.broadcast(INTS, a[2 * i + 1]);
            s0 = INT_VECTOR.cast(s0.add(w.lanewise(VectorOperators.LSHL, 24).lanewise(VectorOperators.ASHR, 24).mul(ae))
                    .add(w.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 24).mul(af)));
            s1 = INT_VECTOR.cast(s1.add(w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 24).mul(ae))
                    .add(w.lanewise(VectorOperators.ASHR, 24).mul(af)));
            t0 = INT_VECTOR.cast(t0.add(v.lanewise(VectorOperators.LSHL, 24).lanewise(VectorOperators.ASHR, 24).mul(ae))
                    .add(v.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 24).mul(af)));
            t1 = INT_VECTOR.cast(t1.add(v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 24).mul(ae))
                    .add(v.lanewise(VectorOperators.ASHR, 24).mul(af)));
            if ((i & 15) != 15) {
                continue;
            }
            int b = i >> 4;
            long base = first + (long) b * 2 * BLOCK_BYTES;
            float xs = scales[b];
            IntVector d = IntVector.fromMemorySegment(INTS, seg, base, LE);
            low = FLOAT_VECTOR.cast(((FloatVector) s0.convertShape(VectorOperators.I2F, FLOATS, 0))
                    .fma(d.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(HALF_BITS).reinterpretAsFloats().mul(HALF_BIAS).mul(xs), low));
            high = FLOAT_VECTOR.cast(((FloatVector) s1.convertShape(VectorOperators.I2F, FLOATS, 0))
                    .fma(d.lanewise(VectorOperators.ASHR, 3).and(HALF_BITS).reinterpretAsFloats().mul(HALF_BIAS).mul(xs), high));
            IntVector d2 = IntVector.fromMemorySegment(INTS, seg, base + LINE, LE);
            low2 = FLOAT_VECTOR.cast(((FloatVector) t0.convertShape(VectorOperators.I2F, FLOATS, 0))
                    .fma(d2.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(HALF_BITS).reinterpretAsFloats().mul(HALF_BIAS).mul(xs), low2));
            high2 = FLOAT_VECTOR.cast(((FloatVector) t1.convertShape(VectorOperators.I2F, FLOATS, 0))
                    .fma(d2.lanewise(VectorOperators.ASHR, 3).and(HALF_BITS).reinterpretAsFloats().mul(HALF_BIAS).mul(xs), high2));
            s0 = zero;
            s1 = zero;
            t0 = zero;
            t1 = zero;
        }
        low.intoArray(out, outOffset);
        high.intoArray(out, outOffset + HALF);
        low2.intoArray(out, outOffset + GROUP);
        high2.intoArray(out, outOffset + GROUP + HALF);
    }
}
