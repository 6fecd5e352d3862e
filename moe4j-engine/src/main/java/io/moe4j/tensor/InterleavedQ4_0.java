package io.moe4j.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

/**
 * Q4_0 in groups of 32 rows ({@link InterleavedRows}), multiplied in 16-bit integers.
 *
 * <p>Layout of a group's block (576 bytes): the 32 scales, then sixteen runs of 32 bytes; byte j of run c is
 * byte c of the block of row {@link #rowOfLane}(j), the codes of its values c (low nibble) and c+16 (high). A run
 * widens to 32 16-bit lanes, a mask and a shift give two vectors of codes, each multiplied with one broadcast
 * activation code.
 *
 * <p>Why 16 bits suffice: with activation codes a in [-127, 127] the block sum Σ(q-8)·a lies within
 * ±32·8·127 = ±32512. It is computed as Σq·a − 8·Σa in wrapping 16-bit arithmetic, exact modulo 2^16, and a
 * value in that range is its own residue. Lanes alternate between the group's first and second sixteen rows,
 * so the 32 sums split into rows 0-15 and 16-31, widened to 32 bits, with three shifts.
 */
final class InterleavedQ4_0 extends InterleavedRows {
    private static final int BLOCK_BYTES = 18 * GROUP;
    private static final VectorSpecies<Byte> RUN = ByteVector.SPECIES_256;
    private static final VectorSpecies<Short> SHORTS = ShortVector.SPECIES_512;

    InterleavedQ4_0(MemorySegment data, int blocks, int groups) {
        super(data, blocks, groups);
    }

    /** Row of the group whose codes lane {@code lane} holds. */
    static int rowOfLane(int lane) {
        return (lane & 1) == 0 ? lane / 2 : GROUP / 2 + lane / 2;
    }

    /** The block at {@code from} in each of 32 rows {@code rowBytes} apart into {@code out[at..at+576)}; false if a scale is not finite. */
    static boolean regroupBlock(byte[] in, int rowBytes, int from, byte[] out, int at) {
        for (int lane = 0; lane < GROUP; lane++) {
            int codes = rowOfLane(lane) * rowBytes + from + 2;
            for (int c = 0; c < 16; c++) {
                out[at + 2 * GROUP + GROUP * c + lane] = in[codes + c];
            }
        }
        return regroupHalves(in, rowBytes, from, out, at);
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
            for (int c = 0; c < 16; c += 2) {
                ShortVector v = run(seg, base + 64 + 32 * c);
                ShortVector u = run(seg, base + 96 + 32 * c);
                s = s.add(v.and((short) 15).mul(a[k + c]).add(v.lanewise(VectorOperators.LSHR, 4).mul(a[k + c + 16])))
                        .add(u.and((short) 15).mul(a[k + c + 1]).add(u.lanewise(VectorOperators.LSHR, 4).mul(a[k + c + 17])));
            }
            int sum = sums[4 * b] + sums[4 * b + 1] + sums[4 * b + 2] + sums[4 * b + 3];
            IntVector wide = s.sub((short) (sum << 3)).reinterpretAsInts();
            FloatVector lowSums = (FloatVector) wide.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .convertShape(VectorOperators.I2F, FLOATS, 0);
            FloatVector highSums = (FloatVector) wide.lanewise(VectorOperators.ASHR, 16).convertShape(VectorOperators.I2F, FLOATS, 0);
            float xs = scales[b];
            low = lowSums.fma(halfScales(seg, base).mul(xs), low);
            high = highSums.fma(halfScales(seg, base + 32).mul(xs), high);
        }
        low.intoArray(out, outOffset);
        high.intoArray(out, outOffset + 16);
    }

    /** 32 code bytes widened to 16-bit lanes. */
    private static ShortVector run(MemorySegment seg, long at) {
        return (ShortVector) ByteVector.fromMemorySegment(RUN, seg, at, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, SHORTS, 0);
    }
}
