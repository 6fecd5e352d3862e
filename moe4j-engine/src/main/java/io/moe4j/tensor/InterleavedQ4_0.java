package io.moe4j.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

/**
 * Q4_0 in groups of 32 rows ({@link InterleavedRows}), multiplied in 16-bit integers.
 *
 * <p>Layout of a group's block (576 bytes, as the file's): 64 bytes of scales, 32-bit lane i holding row i's fp16
 * {@code d} in its low half and row 16+i's in its high half; then eight 64-byte quads of 32 16-bit lanes, lane j
 * of quad q holding the codes of values 4q..4q+3 of row {@link #rowOfLane}(j), four bits each, lowest first. A mask
 * or a shift gives each code (the JIT's widening conversions, with the shifts they save, cost more: compiled into
 * the loop they passed its inlining budget in the Q6_K kernel and boxed vectors).
 *
 * <p>Why 16 bits suffice: with activation codes a in [-127, 127] the block sum Σ(q-8)·a lies within
 * ±32·8·127 = ±32512. It is computed as Σq·a − 8·Σa in wrapping 16-bit arithmetic, exact modulo 2^16, and a
 * value in that range is its own residue. Lanes alternate between the group's first and second sixteen rows,
 * so the 32 sums split into rows 0-15 and 16-31, widened to 32 bits, with three shifts.
 */
final class InterleavedQ4_0 extends InterleavedRows {
    private static final int BLOCK_BYTES = 18 * GROUP;

    InterleavedQ4_0(MemorySegment data, int blocks, int groups) {
        super(data, blocks, groups);
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
        long groupOffset = (long) group * blocks * BLOCK_BYTES;
        FloatVector low = FloatVector.zero(FLOATS);
        FloatVector high = low;
        for (int b = 0; b < blocks; b++) {
            long base = groupOffset + (long) b * BLOCK_BYTES;
            int k = b * 32;
            ShortVector s = ShortVector.zero(SHORTS);
            for (int q = 0; q < 8; q++) {
                ShortVector w = ShortVector.fromMemorySegment(SHORTS, seg, base + 64 + 64 * q, LE);
                int kq = k + 4 * q;
                s = SHORT_VECTOR.cast(s.add(w.and((short) 15).mul(a[kq]).add(w.lanewise(VectorOperators.LSHR, 4).and((short) 15).mul(a[kq + 1])))
                        .add(w.lanewise(VectorOperators.LSHR, 8).and((short) 15).mul(a[kq + 2]).add(w.lanewise(VectorOperators.LSHR, 12).mul(a[kq + 3]))));
            }
            int sum = sums[4 * b] + sums[4 * b + 1] + sums[4 * b + 2] + sums[4 * b + 3];
            IntVector wide = s.sub((short) (sum << 3)).reinterpretAsInts();
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
}
