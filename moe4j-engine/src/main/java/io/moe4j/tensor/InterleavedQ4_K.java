package io.moe4j.tensor;

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
 * stored unpacked), 64-byte lines in the order the kernels read them: per sub-block, eight quads of 32 16-bit lanes,
 * lane j of quad q holding the codes of values 4q..4q+3 of row {@link InterleavedQ4_0#rowOfLane}(j), four bits each,
 * then a line of scales and mins, 32-bit lane i holding the scale of row i, the scale of row 16+i, the min of row i
 * and the min of row 16+i; after the eight sub-blocks, the 32 rows' {@code d}, then their {@code dmin}, each in
 * 32-bit lane pairs ({@link InterleavedRows#pairHalves}: rows i and 16+i in lane i). With the scales and
 * {@code d}s first in the block, read after the codes they scale, the kernel read 13 GB/s from memory on two
 * threads (JMH, 65536 x 4096), a third of Q4_0's speed, as if reading back every eighth line kept the hardware
 * prefetcher from running ahead. Everything widens with shifts and
 * masks (see {@link InterleavedQ4_0}). As there, groups 2p and 2p+1 alternate line by line
 * ({@link InterleavedRows#lineAt}) and {@link #dotPair} computes both.
 */
final class InterleavedQ4_K extends InterleavedRows {
    static final int BLOCK_BYTES = 148 * GROUP;
    /** Lines of a sub-block: eight of codes, then one of scales and mins. */
    private static final int SUB_BLOCK_LINES = 9;
    /** Where a super-block's {@code d} line lies, after its eight sub-blocks; its {@code dmin} line follows. */
    private static final int D_LINE = 8 * SUB_BLOCK_LINES;
    private static final int DMIN_LINE = D_LINE + 1;

    InterleavedQ4_K(MemorySegment data, int blocks, int groups) {
        super(data, blocks, groups, BLOCK_BYTES);
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
        if (!pairHalves(in, rowBytes, from, out, at + LINE * D_LINE) || !pairHalves(in, rowBytes, from + 2, out, at + LINE * DMIN_LINE)) {
            return false;
        }
        int half = GROUP / 2;
        for (int i = 0; i < half; i++) {
            int first = i * rowBytes + from + 4;
            int second = (half + i) * rowBytes + from + 4;
            for (int j = 0; j < 8; j++) {
                int to = at + LINE * (SUB_BLOCK_LINES * j + 8) + 4 * i;
                out[to] = (byte) scaleOrMin(in, first, j, false);
                out[to + 1] = (byte) scaleOrMin(in, second, j, false);
                out[to + 2] = (byte) scaleOrMin(in, first, j, true);
                out[to + 3] = (byte) scaleOrMin(in, second, j, true);
            }
        }
        for (int lane = 0; lane < GROUP; lane++) {
            int qs = InterleavedQ4_0.rowOfLane(lane) * rowBytes + from + 16;
            for (int j = 0; j < 8; j++) {
                for (int quad = 0; quad < 8; quad++) {
                    int packed = 0;
                    for (int n = 0; n < 4; n++) {
                        packed |= code(in, qs, 32 * j + 4 * quad + n) << (4 * n);
                    }
                    int to = at + LINE * (SUB_BLOCK_LINES * j + quad) + 2 * lane;
                    out[to] = (byte) packed;
                    out[to + 1] = (byte) (packed >>> 8);
                }
            }
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
        long first = lineAt(group, 0, 0);
        long line = lineStride(group);
        long blockStride = line * (BLOCK_BYTES / LINE);
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
            long base = first + b * blockStride;
            long runs = base + line * (SUB_BLOCK_LINES * j);
            int k = 32 * u;
            ShortVector s = ShortVector.zero(SHORTS);
            for (int q = 0; q < 8; q++) {
                ShortVector w = ShortVector.fromMemorySegment(SHORTS, seg, runs + line * q, LE);
                int kq = k + 4 * q;
                s = SHORT_VECTOR.cast(s.add(w.and((short) 15).mul(a[kq]).add(w.lanewise(VectorOperators.LSHR, 4).and((short) 15).mul(a[kq + 1])))
                        .add(w.lanewise(VectorOperators.LSHR, 8).and((short) 15).mul(a[kq + 2]).add(w.lanewise(VectorOperators.LSHR, 12).mul(a[kq + 3]))));
            }
            int sum = sums8[4 * u] + sums8[4 * u + 1] + sums8[4 * u + 2] + sums8[4 * u + 3];
            IntVector wide = s.sub((short) (sum << 3)).reinterpretAsInts();
            IntVector scalesMins = IntVector.fromMemorySegment(INTS, seg, base + line * (SUB_BLOCK_LINES * j + 8), LE);
            lowProducts = INT_VECTOR.cast(lowProducts.add(wide.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(sum << 3)
                    .mul(scalesMins.and(0xFF))));
            highProducts = INT_VECTOR.cast(highProducts.add(wide.lanewise(VectorOperators.ASHR, 16).add(sum << 3)
                    .mul(scalesMins.lanewise(VectorOperators.LSHR, 8).and(0xFF))));
            lowMins = INT_VECTOR.cast(lowMins.add(scalesMins.lanewise(VectorOperators.LSHR, 16).and(0xFF).mul(sum)));
            highMins = INT_VECTOR.cast(highMins.add(scalesMins.lanewise(VectorOperators.LSHR, 24).mul(sum)));
            if (j == 7) {
                float xs = scales[b];
                IntVector d = IntVector.fromMemorySegment(INTS, seg, base + line * D_LINE, LE);
                IntVector dmin = IntVector.fromMemorySegment(INTS, seg, base + line * DMIN_LINE, LE);
                FloatVector lowD = lowHalves(d).mul(xs);
                FloatVector highD = highHalves(d).mul(xs);
                FloatVector lowDmin = lowHalves(dmin).mul(xs);
                FloatVector highDmin = highHalves(dmin).mul(xs);
                low = FLOAT_VECTOR.cast(((FloatVector) lowProducts.convertShape(VectorOperators.I2F, FLOATS, 0)).fma(lowD, low)
                        .sub(((FloatVector) lowMins.convertShape(VectorOperators.I2F, FLOATS, 0)).mul(lowDmin)));
                high = FLOAT_VECTOR.cast(((FloatVector) highProducts.convertShape(VectorOperators.I2F, FLOATS, 0)).fma(highD, high)
                        .sub(((FloatVector) highMins.convertShape(VectorOperators.I2F, FLOATS, 0)).mul(highDmin)));
                lowProducts = IntVector.zero(INTS);
                highProducts = lowProducts;
                lowMins = lowProducts;
                highMins = lowProducts;
            }
        }
        low.intoArray(out, outOffset);
        high.intoArray(out, outOffset + HALF);
    }

    /*
     * dot's arithmetic, in the same order, for both groups of a pair, whose lines alternate, in one loop over all
     * lines of codes (a sub-block's end every eighth, a super-block's every 64th): each activation code is
     * broadcast once for 64 rows and the two groups come from memory as one stream. (Splitting codes with 32-bit
     * shifts, as InterleavedQ4_0 does, made no measurable difference here.) The scale conversions are written out (see InterleavedQ4_0.dotPair: past the JIT's inlining budget a helper stays a call and boxes its
     * vector).
     */
    @Override
    void dotPair(int group, short[] a, short[] sums8, float[] scales, float[] out, int outOffset) {
        if (!startsPair(group)) {
            super.dotPair(group, a, sums8, scales, out, outOffset);
            return;
        }
        checkActivation(a, sums8, scales, 256);
        MemorySegment seg = data;
        long first = lineAt(group, 0, 0);
        FloatVector low = FloatVector.zero(FLOATS);
        FloatVector high = low;
        FloatVector low2 = low;
        FloatVector high2 = low;
        IntVector lowProducts = IntVector.zero(INTS);
        IntVector highProducts = lowProducts;
        IntVector lowMins = lowProducts;
        IntVector highMins = lowProducts;
        IntVector lowProducts2 = lowProducts;
        IntVector highProducts2 = lowProducts;
        IntVector lowMins2 = lowProducts;
        IntVector highMins2 = lowProducts;
        IntVector none = lowProducts;
        ShortVector s = ShortVector.zero(SHORTS);
        ShortVector t = s;
        ShortVector zero = s;
        int lines = 64 * blocks;
        for (int i = 0; i < lines; i++) {
            long base = first + (long) (i >>> 6) * 2 * BLOCK_BYTES;
            long at = base + 2L * LINE * (SUB_BLOCK_LINES * ((i >>> 3) & 7) + (i & 7));
            ShortVector w = ShortVector.fromMemorySegment(SHORTS, seg, at, LE);
            ShortVector v = ShortVector.fromMemorySegment(SHORTS, seg, at + LINE, LE);
            int kq = 4 * i;
            ShortVector a0 = ShortVector.broadcast(SHORTS, a[kq]);
            ShortVector a1 = ShortVector.broadcast(SHORTS, a[kq + 1]);
            ShortVector a2 = ShortVector.broadcast(SHORTS, a[kq + 2]);
            ShortVector a3 = ShortVector.broadcast(SHORTS, a[kq + 3]);
            s = SHORT_VECTOR.cast(s.add(w.and((short) 15).mul(a0).add(w.lanewise(VectorOperators.LSHR, 4).and((short) 15).mul(a1)))
                    .add(w.lanewise(VectorOperators.LSHR, 8).and((short) 15).mul(a2).add(w.lanewise(VectorOperators.LSHR, 12).mul(a3))));
            t = SHORT_VECTOR.cast(t.add(v.and((short) 15).mul(a0).add(v.lanewise(VectorOperators.LSHR, 4).and((short) 15).mul(a1)))
                    .add(v.lanewise(VectorOperators.LSHR, 8).and((short) 15).mul(a2).add(v.lanewise(VectorOperators.LSHR, 12).mul(a3))));
            if ((i & 7) != 7) {
                continue;
            }
            int u = i >>> 3;
            int j = u & 7;
            int sum = sums8[4 * u] + sums8[4 * u + 1] + sums8[4 * u + 2] + sums8[4 * u + 3];
            IntVector wide = s.sub((short) (sum << 3)).reinterpretAsInts();
            IntVector wide2 = t.sub((short) (sum << 3)).reinterpretAsInts();
            long scalesAt = base + 2L * LINE * (SUB_BLOCK_LINES * j + 8);
            IntVector scalesMins = IntVector.fromMemorySegment(INTS, seg, scalesAt, LE);
            IntVector scalesMins2 = IntVector.fromMemorySegment(INTS, seg, scalesAt + LINE, LE);
            lowProducts = INT_VECTOR.cast(lowProducts.add(wide.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(sum << 3)
                    .mul(scalesMins.and(0xFF))));
            highProducts = INT_VECTOR.cast(highProducts.add(wide.lanewise(VectorOperators.ASHR, 16).add(sum << 3)
                    .mul(scalesMins.lanewise(VectorOperators.LSHR, 8).and(0xFF))));
            lowMins = INT_VECTOR.cast(lowMins.add(scalesMins.lanewise(VectorOperators.LSHR, 16).and(0xFF).mul(sum)));
            highMins = INT_VECTOR.cast(highMins.add(scalesMins.lanewise(VectorOperators.LSHR, 24).mul(sum)));
            lowProducts2 = INT_VECTOR.cast(lowProducts2.add(wide2.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(sum << 3)
                    .mul(scalesMins2.and(0xFF))));
            highProducts2 = INT_VECTOR.cast(highProducts2.add(wide2.lanewise(VectorOperators.ASHR, 16).add(sum << 3)
                    .mul(scalesMins2.lanewise(VectorOperators.LSHR, 8).and(0xFF))));
            lowMins2 = INT_VECTOR.cast(lowMins2.add(scalesMins2.lanewise(VectorOperators.LSHR, 16).and(0xFF).mul(sum)));
            highMins2 = INT_VECTOR.cast(highMins2.add(scalesMins2.lanewise(VectorOperators.LSHR, 24).mul(sum)));
            s = zero;
            t = zero;
            if (j != 7) {
                continue;
            }
            float xs = scales[u >>> 3];
            long dAt = base + 2L * LINE * D_LINE;
            long dminAt = base + 2L * LINE * DMIN_LINE;
            IntVector d = IntVector.fromMemorySegment(INTS, seg, dAt, LE);
            IntVector dmin = IntVector.fromMemorySegment(INTS, seg, dminAt, LE);
            low = FLOAT_VECTOR.cast(((FloatVector) lowProducts.convertShape(VectorOperators.I2F, FLOATS, 0))
                    .fma(d.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(HALF_BITS).reinterpretAsFloats().mul(HALF_BIAS).mul(xs), low)
                    .sub(((FloatVector) lowMins.convertShape(VectorOperators.I2F, FLOATS, 0))
                            .mul(dmin.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(HALF_BITS).reinterpretAsFloats().mul(HALF_BIAS).mul(xs))));
            high = FLOAT_VECTOR.cast(((FloatVector) highProducts.convertShape(VectorOperators.I2F, FLOATS, 0))
                    .fma(d.lanewise(VectorOperators.ASHR, 3).and(HALF_BITS).reinterpretAsFloats().mul(HALF_BIAS).mul(xs), high)
                    .sub(((FloatVector) highMins.convertShape(VectorOperators.I2F, FLOATS, 0))
                            .mul(dmin.lanewise(VectorOperators.ASHR, 3).and(HALF_BITS).reinterpretAsFloats().mul(HALF_BIAS).mul(xs))));
            IntVector d2 = IntVector.fromMemorySegment(INTS, seg, dAt + LINE, LE);
            IntVector dmin2 = IntVector.fromMemorySegment(INTS, seg, dminAt + LINE, LE);
            low2 = FLOAT_VECTOR.cast(((FloatVector) lowProducts2.convertShape(VectorOperators.I2F, FLOATS, 0))
                    .fma(d2.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(HALF_BITS).reinterpretAsFloats().mul(HALF_BIAS).mul(xs), low2)
                    .sub(((FloatVector) lowMins2.convertShape(VectorOperators.I2F, FLOATS, 0))
                            .mul(dmin2.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(HALF_BITS).reinterpretAsFloats().mul(HALF_BIAS).mul(xs))));
            high2 = FLOAT_VECTOR.cast(((FloatVector) highProducts2.convertShape(VectorOperators.I2F, FLOATS, 0))
                    .fma(d2.lanewise(VectorOperators.ASHR, 3).and(HALF_BITS).reinterpretAsFloats().mul(HALF_BIAS).mul(xs), high2)
                    .sub(((FloatVector) highMins2.convertShape(VectorOperators.I2F, FLOATS, 0))
                            .mul(dmin2.lanewise(VectorOperators.ASHR, 3).and(HALF_BITS).reinterpretAsFloats().mul(HALF_BIAS).mul(xs))));
            lowProducts = none;
            highProducts = none;
            lowMins = none;
            highMins = none;
            lowProducts2 = none;
            highProducts2 = none;
            lowMins2 = none;
            highMins2 = none;
        }
        low.intoArray(out, outOffset);
        high.intoArray(out, outOffset + HALF);
        low2.intoArray(out, outOffset + GROUP);
        high2.intoArray(out, outOffset + GROUP + HALF);
    }
}
