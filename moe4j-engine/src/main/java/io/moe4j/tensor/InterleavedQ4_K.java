package io.moe4j.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

/**
 * Q4_K in groups of 32 rows ({@link InterleavedRows}). A sub-block of 32 values is multiplied like a Q4_0 block
 * (16-bit products, Σ(q-8)·a exact within ±32512, then 8·Σa added back in 32 bits), its sum scaled by the rows'
 * 6-bit scales and the activation sum by their 6-bit mins in 32-bit integers (at most 8·63·32·15·127 in
 * magnitude over a super-block), and both applied with the rows' fp16 {@code d} and {@code dmin}:
 * {@code xs·(d·Σ sc·Σq·a − dmin·Σ m·Σa)}, llama.cpp's sum.
 *
 * <p>Layout of a group's super-block (4736 bytes, 148 per row against the file's 144: the scales and mins are
 * stored unpacked): the 32 rows' {@code d} and {@code dmin} side by side (fp16, row order); eight sub-blocks' scales,
 * 32 bytes each, then their mins (row order); then per sub-block sixteen runs of 32 bytes, byte j of run c holding
 * the codes of values c (low nibble) and c+16 (high) of row {@link InterleavedQ4_0#rowOfLane}(j).
 */
final class InterleavedQ4_K extends InterleavedRows {
    static final int BLOCK_BYTES = 148 * GROUP;
    private static final int SCALES = 4 * GROUP;
    private static final int MINS = SCALES + 8 * GROUP;
    private static final int CODES = MINS + 8 * GROUP;
    private static final VectorSpecies<Byte> RUN = ByteVector.SPECIES_256;
    private static final VectorSpecies<Byte> HALF_RUN = ByteVector.SPECIES_128;
    private static final VectorSpecies<Short> SHORTS = ShortVector.SPECIES_512;

    InterleavedQ4_K(MemorySegment data, int blocks, int groups) {
        super(data, blocks, groups);
    }

    /** The 6-bit scale ({@code min == false}) or min of sub-block {@code j} from the twelve packed bytes at {@code q}. */
    static int scaleOrMin(byte[] in, int q, int j, boolean min) {
        int o = min ? 4 : 0;
        if (j < 4) {
            return in[q + j + o] & 63;
        }
        int low = min ? (in[q + j + 4] & 0xFF) >>> 4 : in[q + j + 4] & 0x0F;
        return low | ((in[q + j - 4 + o] & 0xFF) >>> 6) << 4;
    }

    /** The block at {@code from} in each of 32 rows {@code rowBytes} apart into {@code out[at..at+4736)}; false if a scale is not finite. */
    static boolean regroupBlock(byte[] in, int rowBytes, int from, byte[] out, int at) {
        for (int r = 0; r < GROUP; r++) {
            int row = r * rowBytes + from;
            for (int j = 0; j < 8; j++) {
                out[at + SCALES + GROUP * j + r] = (byte) scaleOrMin(in, row + 4, j, false);
                out[at + MINS + GROUP * j + r] = (byte) scaleOrMin(in, row + 4, j, true);
            }
        }
        for (int lane = 0; lane < GROUP; lane++) {
            int qs = InterleavedQ4_0.rowOfLane(lane) * rowBytes + from + 16;
            for (int j = 0; j < 8; j++) {
                for (int c = 0; c < 16; c++) {
                    out[at + CODES + 16 * GROUP * j + GROUP * c + lane] = (byte) (code(in, qs, 32 * j + c) | code(in, qs, 32 * j + c + 16) << 4);
                }
            }
        }
        // d and dmin side by side per row, so that one 32-bit lane holds both and they widen without conversions
        for (int r = 0; r < GROUP; r++) {
            int s = r * rowBytes + from;
            if ((in[s + 1] & 0x7C) == 0x7C || (in[s + 3] & 0x7C) == 0x7C) {
                return false;
            }
            System.arraycopy(in, s, out, at + 4 * r, 4);
        }
        return true;
    }

    /** The 4-bit code of value {@code v} (0..255) from the 128 nibble bytes at {@code qs}. */
    private static int code(byte[] in, int qs, int v) {
        int pair = in[qs + 32 * (v / 64) + v % 32] & 0xFF;
        return v % 64 < 32 ? pair & 15 : pair >>> 4;
    }

    @Override
    void dot(int group, short[] a, short[] sums8, float[] scales, float[] out, int outOffset) {
        checkActivation(a, sums8, scales, 256);
        MemorySegment seg = data;
        long groupOffset = (long) group * blocks * BLOCK_BYTES;
        FloatVector low = FloatVector.zero(FLOATS);
        FloatVector high = low;
        IntVector lowProducts = IntVector.zero(INTS);
        IntVector highProducts = lowProducts;
        IntVector lowMins = lowProducts;
        IntVector highMins = lowProducts;
        // one loop over all sub-blocks (as Q4_0's over blocks), the integer sums turned into floats after each
        // block's eighth: nested loops over blocks and sub-blocks compiled to code with much more scalar work
        for (int u = 0; u < 8 * blocks; u++) {
            int b = u >>> 3;
            int j = u & 7;
            long base = groupOffset + (long) b * BLOCK_BYTES;
            long runs = base + CODES + 16L * GROUP * j;
            int k = 32 * u;
            ShortVector s = ShortVector.zero(SHORTS);
            for (int c = 0; c < 16; c += 2) {
                ShortVector v = run(seg, runs + 32 * c);
                ShortVector w = run(seg, runs + 32 * c + 32);
                s = s.add(v.and((short) 15).mul(a[k + c]).add(v.lanewise(VectorOperators.LSHR, 4).mul(a[k + c + 16])))
                        .add(w.and((short) 15).mul(a[k + c + 1]).add(w.lanewise(VectorOperators.LSHR, 4).mul(a[k + c + 17])));
            }
            int sum = sums8[4 * u] + sums8[4 * u + 1] + sums8[4 * u + 2] + sums8[4 * u + 3];
            IntVector wide = s.sub((short) (sum << 3)).reinterpretAsInts();
            lowProducts = lowProducts.add(wide.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(sum << 3)
                    .mul(bytes(seg, base + SCALES + GROUP * j)));
            highProducts = highProducts.add(wide.lanewise(VectorOperators.ASHR, 16).add(sum << 3).mul(bytes(seg, base + SCALES + GROUP * j + 16)));
            lowMins = lowMins.add(bytes(seg, base + MINS + GROUP * j).mul(sum));
            highMins = highMins.add(bytes(seg, base + MINS + GROUP * j + 16).mul(sum));
            if (j == 7) {
                float xs = scales[b];
                // each lane: d in the low half, dmin in the high; their fp16 bits moved into place as in halfScales
                IntVector lowHalves = IntVector.fromMemorySegment(INTS, seg, base, LE);
                IntVector highHalves = IntVector.fromMemorySegment(INTS, seg, base + 64, LE);
                FloatVector lowD = lowHalves.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(0x8FFFE000)
                        .reinterpretAsFloats().mul(0x1p112f).mul(xs);
                FloatVector lowDmin = lowHalves.lanewise(VectorOperators.ASHR, 3).and(0x8FFFE000).reinterpretAsFloats().mul(0x1p112f).mul(xs);
                FloatVector highD = highHalves.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(0x8FFFE000)
                        .reinterpretAsFloats().mul(0x1p112f).mul(xs);
                FloatVector highDmin = highHalves.lanewise(VectorOperators.ASHR, 3).and(0x8FFFE000).reinterpretAsFloats().mul(0x1p112f).mul(xs);
                low = ((FloatVector) lowProducts.convertShape(VectorOperators.I2F, FLOATS, 0)).fma(lowD, low)
                        .sub(((FloatVector) lowMins.convertShape(VectorOperators.I2F, FLOATS, 0)).mul(lowDmin));
                high = ((FloatVector) highProducts.convertShape(VectorOperators.I2F, FLOATS, 0)).fma(highD, high)
                        .sub(((FloatVector) highMins.convertShape(VectorOperators.I2F, FLOATS, 0)).mul(highDmin));
                lowProducts = IntVector.zero(INTS);
                highProducts = lowProducts;
                lowMins = lowProducts;
                highMins = lowProducts;
            }
        }
        low.intoArray(out, outOffset);
        high.intoArray(out, outOffset + 16);
    }

    /** 32 code bytes widened to 16-bit lanes. */
    private static ShortVector run(MemorySegment seg, long at) {
        return (ShortVector) ByteVector.fromMemorySegment(RUN, seg, at, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, SHORTS, 0);
    }

    /** Sixteen rows' unsigned 6-bit scales or mins widened to 32-bit lanes. */
    private static IntVector bytes(MemorySegment seg, long at) {
        return (IntVector) ByteVector.fromMemorySegment(HALF_RUN, seg, at, LE).convertShape(VectorOperators.B2I, INTS, 0);
    }
}
