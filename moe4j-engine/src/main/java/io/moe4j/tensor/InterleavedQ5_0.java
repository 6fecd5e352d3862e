package io.moe4j.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

/**
 * Q5_0 in groups of 32 rows ({@link InterleavedRows}), multiplied by table look-ups in 16-bit integers as
 * {@link InterleavedQ4_0} does, the fifth bits looked up four at a time.
 *
 * <p>A group's block (704 bytes, as the file's) is eleven 64-byte lines: the scales as in Q4_0; eight quads of the
 * low four bits, lane j of quad q holding those of values 4q..4q+3 of row {@link InterleavedQ4_0#rowOfLane}(j); then
 * two lines of fifth bits, lane j of line h holding in its nibble n the fifth bits of values 16h+4n..16h+4n+3 (bit i
 * of the nibble for value 16h+4n+i). A value (low + 16·fifth - 16) splits into (low - 8) + (16·fifth - 8): the first
 * part is looked up per value in Q4_0's tables, the second per four values in a table of the sixteen sums
 * Σ(16·bit_i - 8)·a_i over the nibble's four activation codes, which takes four multiplies and three adds to make.
 *
 * <p>Each part's block sum stays within ±32·8·127 = ±32512 and is summed exactly in wrapping 16-bit arithmetic; the
 * whole, up to ±65024, would not be, so the two are widened apart and added in 32-bit integers.
 */
final class InterleavedQ5_0 extends InterleavedRows {
    static final int BLOCK_BYTES = 22 * GROUP;
    /** Lane l, table b: 16·(bit b of l mod 16) - 8, what a fifth bit adds to a value, less the 8 the low bits' tables take. */
    private static final short[][] FIFTH_BITS = new short[4][32];

    static {
        for (int i = 0; i < 32; i++) {
            for (int b = 0; b < 4; b++) {
                FIFTH_BITS[b][i] = (short) (16 * ((i & 15) >>> b & 1) - 8);
            }
        }
    }

    InterleavedQ5_0(MemorySegment data, int blocks, int groups) {
        super(data, blocks, groups, BLOCK_BYTES);
    }

    /** The block at {@code from} in each of 32 rows {@code rowBytes} apart into {@code out[at..at+704)}; false if a scale is not finite. */
    static boolean regroupBlock(byte[] in, int rowBytes, int from, byte[] out, int at) {
        if (!pairHalves(in, rowBytes, from, out, at)) {
            return false;
        }
        InterleavedQ4_0.regroupNibbles(in, rowBytes, from + 6, out, at + LINE);
        for (int lane = 0; lane < GROUP; lane++) {
            int fifths = Bits.u32(in, InterleavedQ4_0.rowOfLane(lane) * rowBytes + from + 2);
            for (int h = 0; h < 2; h++) {
                Bits.putU16(out, at + 9 * LINE + LINE * h + 2 * lane, (short) (fifths >>> (16 * h)));
            }
        }
        return true;
    }

    /** Where one group's results come from: the pair kernel, over its pair or over itself twice if it has no partner. */
    private static final ThreadLocal<float[]> PAIR_OUT = ThreadLocal.withInitial(() -> new float[2 * GROUP]);

    /*
     * A lone or partial group (the last group of an odd count, a chunk that splits a pair) through the pair kernel, so
     * that there is one kernel to keep within the JIT's budget: a group without a partner is read as its own partner
     * (its lines in order, computed twice), a group with one as half of the pair.
     */
    @Override
    void dot(int group, short[] a, short[] sums, float[] scales, float[] out, int outOffset) {
        float[] pair = PAIR_OUT.get();
        int partner = group ^ 1;
        if (partner < groups()) {
            int first = Math.min(group, partner);
            products(lineAt(first, 0, 0), 2 * LINE, LINE, a, sums, scales, pair, 0);
            System.arraycopy(pair, group == first ? 0 : GROUP, out, outOffset, GROUP);
        } else {
            products(lineAt(group, 0, 0), LINE, 0, a, sums, scales, pair, 0);
            System.arraycopy(pair, 0, out, outOffset, GROUP);
        }
    }

    @Override
    void dotPair(int group, short[] a, short[] sums, float[] scales, float[] out, int outOffset) {
        if (!startsPair(group)) {
            super.dotPair(group, a, sums, scales, out, outOffset);
            return;
        }
        products(lineAt(group, 0, 0), 2 * LINE, LINE, a, sums, scales, out, outOffset);
    }

    /*
     * Two groups whose line j lies at first + j·stride and first + j·stride + second, into out[outOffset..+64): each
     * table made once for the two, their lines read as one stream. Per block, eight lines of low bits add (low - 8)·a
     * four values a lane, then two of fifth bits (16·fifth - 8)·a sixteen values a lane, each into its own 16-bit sum.
     * Codes are shifted in 32-bit lanes, as in Q4_0 (the JIT reloads a 16-bit shift's constant count inside the loop);
     * the scale conversions are written out, as in InterleavedQ4_0.dotPair (called, they stayed calls and boxed).
     */
    private void products(long first, long stride, long second, short[] a, short[] sums, float[] scales, float[] out, int outOffset) {
        checkActivation(a, sums, scales, 32);
        MemorySegment seg = data;
        ShortVector codes = ShortVector.fromArray(SHORTS, InterleavedQ4_0.CENTRED_CODES, 0);
        ShortVector bit0 = ShortVector.fromArray(SHORTS, FIFTH_BITS[0], 0);
        ShortVector bit1 = ShortVector.fromArray(SHORTS, FIFTH_BITS[1], 0);
        ShortVector bit2 = ShortVector.fromArray(SHORTS, FIFTH_BITS[2], 0);
        ShortVector bit3 = ShortVector.fromArray(SHORTS, FIFTH_BITS[3], 0);
        FloatVector low = FloatVector.zero(FLOATS);
        FloatVector high = low;
        FloatVector low2 = low;
        FloatVector high2 = low;
        for (int b = 0; b < blocks; b++) {
            long base = first + b * stride * (BLOCK_BYTES / LINE);
            int k = b * 32;
            ShortVector s = ShortVector.zero(SHORTS);
            ShortVector s2 = s;
            for (int q = 0; q < 8; q++) {
                long at = base + stride * (q + 1);
                IntVector w = IntVector.fromMemorySegment(INTS, seg, at, LE);
                IntVector v = IntVector.fromMemorySegment(INTS, seg, at + second, LE);
                int kq = k + 4 * q;
                ShortVector p0 = codes.mul(a[kq]);
                ShortVector p1 = codes.mul(a[kq + 1]);
                ShortVector p2 = codes.mul(a[kq + 2]);
                ShortVector p3 = codes.mul(a[kq + 3]);
                s = SHORT_VECTOR.cast(s.add(w.reinterpretAsShorts().selectFrom(p0)
                                .add(w.lanewise(VectorOperators.LSHR, 4).reinterpretAsShorts().selectFrom(p1)))
                        .add(w.lanewise(VectorOperators.LSHR, 8).reinterpretAsShorts().selectFrom(p2)
                                .add(w.lanewise(VectorOperators.LSHR, 12).reinterpretAsShorts().selectFrom(p3))));
                s2 = SHORT_VECTOR.cast(s2.add(v.reinterpretAsShorts().selectFrom(p0)
                                .add(v.lanewise(VectorOperators.LSHR, 4).reinterpretAsShorts().selectFrom(p1)))
                        .add(v.lanewise(VectorOperators.LSHR, 8).reinterpretAsShorts().selectFrom(p2)
                                .add(v.lanewise(VectorOperators.LSHR, 12).reinterpretAsShorts().selectFrom(p3))));
            }
            ShortVector t = ShortVector.zero(SHORTS);
            ShortVector t2 = t;
            for (int h = 0; h < 2; h++) {
                long at = base + stride * (h + 9);
                IntVector w = IntVector.fromMemorySegment(INTS, seg, at, LE);
                IntVector v = IntVector.fromMemorySegment(INTS, seg, at + second, LE);
                int kh = k + 16 * h;
                ShortVector t0 = bit0.mul(a[kh]).add(bit1.mul(a[kh + 1])).add(bit2.mul(a[kh + 2]).add(bit3.mul(a[kh + 3])));
                ShortVector t1 = bit0.mul(a[kh + 4]).add(bit1.mul(a[kh + 5])).add(bit2.mul(a[kh + 6]).add(bit3.mul(a[kh + 7])));
                ShortVector t2n = bit0.mul(a[kh + 8]).add(bit1.mul(a[kh + 9])).add(bit2.mul(a[kh + 10]).add(bit3.mul(a[kh + 11])));
                ShortVector t3 = bit0.mul(a[kh + 12]).add(bit1.mul(a[kh + 13])).add(bit2.mul(a[kh + 14]).add(bit3.mul(a[kh + 15])));
                t = SHORT_VECTOR.cast(t.add(w.reinterpretAsShorts().selectFrom(t0)
                                .add(w.lanewise(VectorOperators.LSHR, 4).reinterpretAsShorts().selectFrom(t1)))
                        .add(w.lanewise(VectorOperators.LSHR, 8).reinterpretAsShorts().selectFrom(t2n)
                                .add(w.lanewise(VectorOperators.LSHR, 12).reinterpretAsShorts().selectFrom(t3))));
                t2 = SHORT_VECTOR.cast(t2.add(v.reinterpretAsShorts().selectFrom(t0)
                                .add(v.lanewise(VectorOperators.LSHR, 4).reinterpretAsShorts().selectFrom(t1)))
                        .add(v.lanewise(VectorOperators.LSHR, 8).reinterpretAsShorts().selectFrom(t2n)
                                .add(v.lanewise(VectorOperators.LSHR, 12).reinterpretAsShorts().selectFrom(t3))));
            }
            float xs = scales[b];
            IntVector lows = s.reinterpretAsInts();
            IntVector highs = t.reinterpretAsInts();
            IntVector d = IntVector.fromMemorySegment(INTS, seg, base, LE);
            low = FLOAT_VECTOR.cast(((FloatVector) lows.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .add(highs.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16))
                    .convertShape(VectorOperators.I2F, FLOATS, 0))
                    .fma(d.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(HALF_BITS).reinterpretAsFloats().mul(HALF_BIAS).mul(xs), low));
            high = FLOAT_VECTOR.cast(((FloatVector) lows.lanewise(VectorOperators.ASHR, 16).add(highs.lanewise(VectorOperators.ASHR, 16))
                    .convertShape(VectorOperators.I2F, FLOATS, 0))
                    .fma(d.lanewise(VectorOperators.ASHR, 3).and(HALF_BITS).reinterpretAsFloats().mul(HALF_BIAS).mul(xs), high));
            IntVector lows2 = s2.reinterpretAsInts();
            IntVector highs2 = t2.reinterpretAsInts();
            IntVector d2 = IntVector.fromMemorySegment(INTS, seg, base + second, LE);
            low2 = FLOAT_VECTOR.cast(((FloatVector) lows2.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .add(highs2.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16))
                    .convertShape(VectorOperators.I2F, FLOATS, 0))
                    .fma(d2.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(HALF_BITS).reinterpretAsFloats().mul(HALF_BIAS).mul(xs), low2));
            high2 = FLOAT_VECTOR.cast(((FloatVector) lows2.lanewise(VectorOperators.ASHR, 16).add(highs2.lanewise(VectorOperators.ASHR, 16))
                    .convertShape(VectorOperators.I2F, FLOATS, 0))
                    .fma(d2.lanewise(VectorOperators.ASHR, 3).and(HALF_BITS).reinterpretAsFloats().mul(HALF_BIAS).mul(xs), high2));
        }
        low.intoArray(out, outOffset);
        high.intoArray(out, outOffset + HALF);
        low2.intoArray(out, outOffset + GROUP);
        high2.intoArray(out, outOffset + GROUP + HALF);
    }
}
