package io.moe4j.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

/**
 * Q6_K in groups of 32 rows ({@link InterleavedRows}): 6-bit codes multiplied in 16-bit integers eight values
 * at a time, each sixteen values' sum scaled by its row's int8 scale in 32-bit integers, and each 256 values'
 * total by the rows' fp16 super-scales in floats.
 *
 * <p>Why 16 bits suffice for eight values: with activation codes a in [-127, 127] (llama.cpp's {@code Q8_K}),
 * Σ(q-32)·a over eight values lies within ±8·32·127 = ±32512, computed as Σq·a − 32·Σa in wrapping 16-bit
 * arithmetic, which is exact modulo 2^16. Sixteen values' sums times scales of at most 128 in magnitude, over
 * sixteen sub-blocks, stay below 2^28.
 *
 * <p>Layout of a group's super-block (6720 bytes): the 32 super-scales (fp16, row order); the 16 sub-blocks'
 * scales, 32 bytes each (row order); then 64 runs of four values, three times 32 bytes each: byte j of the
 * k-th 32 (k = 0..2) holds the 6-bit code of value k of row {@link InterleavedQ4_0#rowOfLane}(j) and, in its top
 * two bits, bits 2k and 2k+1 of value 3's code. Three values then cost a mask each and the fourth five
 * operations, where the file's split into nibbles and bit pairs costs about five per value.
 */
final class InterleavedQ6_K extends InterleavedRows {
    private static final int BLOCK_BYTES = 210 * GROUP;
    private static final int SCALES = 2 * GROUP;
    private static final int CODES = SCALES + 16 * GROUP;
    private static final int QUAD_BYTES = 3 * GROUP;
    private static final VectorSpecies<Byte> RUN = ByteVector.SPECIES_256;
    private static final VectorSpecies<Byte> HALF_RUN = ByteVector.SPECIES_128;
    private static final VectorSpecies<Short> SHORTS = ShortVector.SPECIES_512;

    InterleavedQ6_K(MemorySegment data, int blocks, int groups) {
        super(data, blocks, groups);
    }

    /** The 6-bit code of value {@code v} (0..255) of the {@code block_q6_K} at {@code from}. */
    static int code(byte[] in, int from, int v) {
        int n = v / 128;
        int k = v % 128 / 32;
        int l = v % 32;
        int nibbles = in[from + 64 * n + 32 * (k & 1) + l] & 0xFF;
        int low = k < 2 ? nibbles & 15 : nibbles >>> 4;
        int high = (in[from + 128 + 32 * n + l] >>> (2 * k)) & 3;
        return low | high << 4;
    }

    /** The block at {@code from} in each of 32 rows {@code rowBytes} apart into {@code out[at..at+6720)}; false if a scale is not finite. */
    static boolean regroupBlock(byte[] in, int rowBytes, int from, byte[] out, int at) {
        for (int r = 0; r < GROUP; r++) {
            for (int j = 0; j < 16; j++) {
                out[at + SCALES + GROUP * j + r] = in[r * rowBytes + from + 192 + j];
            }
        }
        for (int lane = 0; lane < GROUP; lane++) {
            int row = InterleavedQ4_0.rowOfLane(lane) * rowBytes + from;
            for (int quad = 0; quad < 64; quad++) {
                int v = 4 * quad;
                int last = code(in, row, v + 3);
                for (int k = 0; k < 3; k++) {
                    out[at + CODES + QUAD_BYTES * quad + GROUP * k + lane] = (byte) (code(in, row, v + k) | (last >>> (2 * k) & 3) << 6);
                }
            }
        }
        return regroupHalves(in, rowBytes, from + 208, out, at);
    }

    @Override
    void dot(int group, short[] a, short[] sums8, float[] scales, float[] out, int outOffset) {
        checkActivation(a, sums8, scales, 256);
        MemorySegment seg = data;
        long groupOffset = (long) group * blocks * BLOCK_BYTES;
        FloatVector low = FloatVector.zero(FLOATS);
        FloatVector high = low;
        IntVector lowTotal = IntVector.zero(INTS);
        IntVector highTotal = lowTotal;
        // one loop over all runs of eight values (as Q4_0's over blocks), each run's sums scaled by its sub-block's
        // scales, the integer totals turned into floats after a super-block's last run: nested loops over
        // super-blocks, sub-blocks and halves compiled to code with much more scalar work
        for (int run = 0; run < 32 * blocks; run++) {
            int b = run >>> 5;
            int r = run & 31;
            long base = groupOffset + (long) b * BLOCK_BYTES;
            int v = 8 * run;
            ShortVector s = ShortVector.zero(SHORTS);
            for (int quad = 0; quad < 2; quad++) {
                long at = base + CODES + QUAD_BYTES * (2 * r + quad);
                ShortVector b0 = run(seg, at);
                ShortVector b1 = run(seg, at + 32);
                ShortVector b2 = run(seg, at + 64);
                ShortVector last = b0.lanewise(VectorOperators.LSHR, 6)
                        .or(b1.lanewise(VectorOperators.LSHR, 4).and((short) 0x0C))
                        .or(b2.lanewise(VectorOperators.LSHR, 2).and((short) 0x30));
                int w = v + 4 * quad;
                s = s.add(b0.and((short) 63).mul(a[w]).add(b1.and((short) 63).mul(a[w + 1])))
                        .add(b2.and((short) 63).mul(a[w + 2]).add(last.mul(a[w + 3])));
            }
            IntVector sums = s.sub((short) (sums8[run] << 5)).reinterpretAsInts();
            long scalesAt = base + SCALES + GROUP * (r >>> 1);
            lowTotal = lowTotal.add(sums.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).mul(subScales(seg, scalesAt)));
            highTotal = highTotal.add(sums.lanewise(VectorOperators.ASHR, 16).mul(subScales(seg, scalesAt + 16)));
            if (r == 31) {
                float xs = scales[b];
                low = ((FloatVector) lowTotal.convertShape(VectorOperators.I2F, FLOATS, 0)).fma(halfScales(seg, base).mul(xs), low);
                high = ((FloatVector) highTotal.convertShape(VectorOperators.I2F, FLOATS, 0)).fma(halfScales(seg, base + 32).mul(xs), high);
                lowTotal = IntVector.zero(INTS);
                highTotal = lowTotal;
            }
        }
        low.intoArray(out, outOffset);
        high.intoArray(out, outOffset + 16);
    }

    /** 32 code bytes widened to 16-bit lanes. */
    private static ShortVector run(MemorySegment seg, long at) {
        return (ShortVector) ByteVector.fromMemorySegment(RUN, seg, at, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, SHORTS, 0);
    }

    /** Sixteen rows' int8 sub-block scales widened to 32-bit lanes. */
    private static IntVector subScales(MemorySegment seg, long at) {
        return (IntVector) ByteVector.fromMemorySegment(HALF_RUN, seg, at, LE).convertShape(VectorOperators.B2I, INTS, 0);
    }
}
