package io.moe4j.tensor;

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
 * <p>Layout of a group's super-block (6720 bytes, as the file's), 64-byte lines in about the order the kernels read
 * them: for each pair p of sub-blocks, a line of their scales, lane i holding the int8 scales of sub-blocks 2p and
 * 2p+1 for rows i and 16+i (bytes: 2p/i, 2p/16+i, 2p+1/i, 2p+1/16+i), then four runs of eight values, three lines of
 * 32 16-bit lanes each: lane j holds row {@link InterleavedQ4_0#rowOfLane}(j)'s codes c0|c1<<6|c6[0..3]<<12,
 * c2|c3<<6|(c6[4..5]|c7[0..1]<<2)<<12 and c4|c5<<6|c7[2..5]<<12; last, a line of super-scales, 32-bit lane i
 * holding row i's fp16 {@code d} in its low half and row 16+i's in its high half. (With all scales first in the
 * super-block, read back after the codes, Q4_K's kernel read memory at a third of Q4_0's speed: see
 * {@link InterleavedQ4_K}.) Everything widens with shifts and masks: the JIT's widening conversions are costly to
 * compile, and with them the method passed the JIT's inlining budget and boxed vectors in its loop. As in
 * {@link InterleavedQ4_0}, groups 2p and 2p+1 alternate line by line ({@link InterleavedRows#lineAt}) and
 * {@link #dotPair} computes both.
 */
final class InterleavedQ6_K extends InterleavedRows {
    private static final int BLOCK_BYTES = 210 * GROUP;
    /** Lines of two sub-blocks (32 values): one of their scales, then four runs of three lines of codes. */
    private static final int SUB_BLOCKS_LINES = 13;
    /** Where a super-block's {@code d} line lies: after its eight pairs of sub-blocks. */
    private static final int D_LINE = 8 * SUB_BLOCKS_LINES;

    InterleavedQ6_K(MemorySegment data, int blocks, int groups) {
        super(data, blocks, groups, BLOCK_BYTES);
    }

    /** The line of a group's super-block holding word {@code k} (0..2) of run {@code run}'s codes. */
    private static int codesLine(int run, int k) {
        return SUB_BLOCKS_LINES * (run >>> 2) + 1 + 3 * (run & 3) + k;
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
        if (!pairHalves(in, rowBytes, from + 208, out, at + LINE * D_LINE)) {
            return false;
        }
        int half = GROUP / 2;
        for (int i = 0; i < half; i++) {
            int first = i * rowBytes + from;
            int second = (half + i) * rowBytes + from;
            for (int p = 0; p < 8; p++) {
                int to = at + LINE * SUB_BLOCKS_LINES * p + 4 * i;
                out[to] = in[first + 192 + 2 * p];
                out[to + 1] = in[second + 192 + 2 * p];
                out[to + 2] = in[first + 192 + 2 * p + 1];
                out[to + 3] = in[second + 192 + 2 * p + 1];
            }
        }
        int[] c = new int[8];
        for (int lane = 0; lane < GROUP; lane++) {
            int row = InterleavedQ4_0.rowOfLane(lane) * rowBytes + from;
            for (int run = 0; run < 32; run++) {
                for (int i = 0; i < 8; i++) {
                    c[i] = code(in, row, 8 * run + i);
                }
                int[] words = {
                    c[0] | c[1] << 6 | (c[6] & 15) << 12,
                    c[2] | c[3] << 6 | (c[6] >>> 4 | (c[7] & 3) << 2) << 12,
                    c[4] | c[5] << 6 | (c[7] >>> 2) << 12};
                for (int k = 0; k < 3; k++) {
                    int to = at + LINE * codesLine(run, k) + 2 * lane;
                    out[to] = (byte) words[k];
                    out[to + 1] = (byte) (words[k] >>> 8);
                }
            }
        }
        return true;
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
        IntVector lowTotal = IntVector.zero(INTS);
        IntVector highTotal = lowTotal;
        // one loop over all runs of eight values (as Q4_0's over blocks), each run's sums scaled by its sub-block's
        // scales, the integer totals turned into floats after a super-block's last run: nested loops over
        // super-blocks, sub-blocks and halves compiled to code with much more scalar work
        for (int run = 0; run < 32 * blocks; run++) {
            int b = run >>> 5;
            int r = run & 31;
            long base = first + b * blockStride;
            int v = 8 * run;
            long at = base + line * codesLine(r, 0);
            ShortVector w0 = ShortVector.fromMemorySegment(SHORTS, seg, at, LE);
            ShortVector w1 = ShortVector.fromMemorySegment(SHORTS, seg, at + line, LE);
            ShortVector w2 = ShortVector.fromMemorySegment(SHORTS, seg, at + 2 * line, LE);
            ShortVector c6 = w0.lanewise(VectorOperators.LSHR, 12).or(w1.lanewise(VectorOperators.LSHR, 8).and((short) 0x30));
            ShortVector c7 = w1.lanewise(VectorOperators.LSHR, 14).or(w2.lanewise(VectorOperators.LSHR, 10).and((short) 0x3C));
            ShortVector s = w0.and((short) 63).mul(a[v]).add(w0.lanewise(VectorOperators.LSHR, 6).and((short) 63).mul(a[v + 1]))
                    .add(w1.and((short) 63).mul(a[v + 2]).add(w1.lanewise(VectorOperators.LSHR, 6).and((short) 63).mul(a[v + 3])))
                    .add(w2.and((short) 63).mul(a[v + 4]).add(w2.lanewise(VectorOperators.LSHR, 6).and((short) 63).mul(a[v + 5])))
                    .add(c6.mul(a[v + 6]).add(c7.mul(a[v + 7])));
            IntVector sums = s.sub((short) (sums8[run] << 5)).reinterpretAsInts();
            // the sub-block's scales: bytes 0/1 (rows i, 16+i) of each lane for an even sub-block, 2/3 for an odd one
            IntVector scales2 = IntVector.fromMemorySegment(INTS, seg, base + line * SUB_BLOCKS_LINES * (r >>> 2), LE);
            int shift = (r & 2) << 3;
            IntVector lowScales = scales2.lanewise(VectorOperators.LSHL, 24 - shift).lanewise(VectorOperators.ASHR, 24);
            IntVector highScales = scales2.lanewise(VectorOperators.LSHL, 16 - shift).lanewise(VectorOperators.ASHR, 24);
            lowTotal = INT_VECTOR.cast(lowTotal.add(sums.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).mul(lowScales)));
            highTotal = INT_VECTOR.cast(highTotal.add(sums.lanewise(VectorOperators.ASHR, 16).mul(highScales)));
            if (r == 31) {
                float xs = scales[b];
                IntVector d = IntVector.fromMemorySegment(INTS, seg, base + line * D_LINE, LE);
                FloatVector lowD = lowHalves(d).mul(xs);
                FloatVector highD = highHalves(d).mul(xs);
                low = FLOAT_VECTOR.cast(((FloatVector) lowTotal.convertShape(VectorOperators.I2F, FLOATS, 0)).fma(lowD, low));
                high = FLOAT_VECTOR.cast(((FloatVector) highTotal.convertShape(VectorOperators.I2F, FLOATS, 0)).fma(highD, high));
                lowTotal = IntVector.zero(INTS);
                highTotal = lowTotal;
            }
        }
        low.intoArray(out, outOffset);
        high.intoArray(out, outOffset + HALF);
    }

    /*
     * dot's arithmetic, in the same order, for both groups of a pair, whose lines alternate: each run's eight
     * activation codes are broadcast once for 64 rows, and the two groups come from memory as one stream. The
     * scale conversions are written out (see InterleavedQ4_0.dotPair: past the JIT's inlining budget a helper
     * stays a call and boxes its vector).
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
        IntVector lowTotal = IntVector.zero(INTS);
        IntVector highTotal = lowTotal;
        IntVector lowTotal2 = lowTotal;
        IntVector highTotal2 = lowTotal;
        IntVector zero = lowTotal;
        for (int run = 0; run < 32 * blocks; run++) {
            int b = run >>> 5;
            int r = run & 31;
            long base = first + (long) b * 2 * BLOCK_BYTES;
            int v = 8 * run;
            ShortVector a0 = ShortVector.broadcast(SHORTS, a[v]);
            ShortVector a1 = ShortVector.broadcast(SHORTS, a[v + 1]);
            ShortVector a2 = ShortVector.broadcast(SHORTS, a[v + 2]);
            ShortVector a3 = ShortVector.broadcast(SHORTS, a[v + 3]);
            ShortVector a4 = ShortVector.broadcast(SHORTS, a[v + 4]);
            ShortVector a5 = ShortVector.broadcast(SHORTS, a[v + 5]);
            ShortVector a6 = ShortVector.broadcast(SHORTS, a[v + 6]);
            ShortVector a7 = ShortVector.broadcast(SHORTS, a[v + 7]);
            short centre = (short) (sums8[run] << 5);
            long at = base + 2L * LINE * codesLine(r, 0);
            ShortVector w0 = ShortVector.fromMemorySegment(SHORTS, seg, at, LE);
            ShortVector w1 = ShortVector.fromMemorySegment(SHORTS, seg, at + 2 * LINE, LE);
            ShortVector w2 = ShortVector.fromMemorySegment(SHORTS, seg, at + 4 * LINE, LE);
            ShortVector c6 = w0.lanewise(VectorOperators.LSHR, 12).or(w1.lanewise(VectorOperators.LSHR, 8).and((short) 0x30));
            ShortVector c7 = w1.lanewise(VectorOperators.LSHR, 14).or(w2.lanewise(VectorOperators.LSHR, 10).and((short) 0x3C));
            ShortVector s = w0.and((short) 63).mul(a0).add(w0.lanewise(VectorOperators.LSHR, 6).and((short) 63).mul(a1))
                    .add(w1.and((short) 63).mul(a2).add(w1.lanewise(VectorOperators.LSHR, 6).and((short) 63).mul(a3)))
                    .add(w2.and((short) 63).mul(a4).add(w2.lanewise(VectorOperators.LSHR, 6).and((short) 63).mul(a5)))
                    .add(c6.mul(a6).add(c7.mul(a7)));
            ShortVector x0 = ShortVector.fromMemorySegment(SHORTS, seg, at + LINE, LE);
            ShortVector x1 = ShortVector.fromMemorySegment(SHORTS, seg, at + 3 * LINE, LE);
            ShortVector x2 = ShortVector.fromMemorySegment(SHORTS, seg, at + 5 * LINE, LE);
            ShortVector d6 = x0.lanewise(VectorOperators.LSHR, 12).or(x1.lanewise(VectorOperators.LSHR, 8).and((short) 0x30));
            ShortVector d7 = x1.lanewise(VectorOperators.LSHR, 14).or(x2.lanewise(VectorOperators.LSHR, 10).and((short) 0x3C));
            ShortVector t = x0.and((short) 63).mul(a0).add(x0.lanewise(VectorOperators.LSHR, 6).and((short) 63).mul(a1))
                    .add(x1.and((short) 63).mul(a2).add(x1.lanewise(VectorOperators.LSHR, 6).and((short) 63).mul(a3)))
                    .add(x2.and((short) 63).mul(a4).add(x2.lanewise(VectorOperators.LSHR, 6).and((short) 63).mul(a5)))
                    .add(d6.mul(a6).add(d7.mul(a7)));
            IntVector sums = s.sub(centre).reinterpretAsInts();
            IntVector sums2 = t.sub(centre).reinterpretAsInts();
            long scalesAt = base + 2L * LINE * SUB_BLOCKS_LINES * (r >>> 2);
            IntVector scales2 = IntVector.fromMemorySegment(INTS, seg, scalesAt, LE);
            IntVector scales22 = IntVector.fromMemorySegment(INTS, seg, scalesAt + LINE, LE);
            int shift = (r & 2) << 3;
            lowTotal = INT_VECTOR.cast(lowTotal.add(sums.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .mul(scales2.lanewise(VectorOperators.LSHL, 24 - shift).lanewise(VectorOperators.ASHR, 24))));
            highTotal = INT_VECTOR.cast(highTotal.add(sums.lanewise(VectorOperators.ASHR, 16)
                    .mul(scales2.lanewise(VectorOperators.LSHL, 16 - shift).lanewise(VectorOperators.ASHR, 24))));
            lowTotal2 = INT_VECTOR.cast(lowTotal2.add(sums2.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .mul(scales22.lanewise(VectorOperators.LSHL, 24 - shift).lanewise(VectorOperators.ASHR, 24))));
            highTotal2 = INT_VECTOR.cast(highTotal2.add(sums2.lanewise(VectorOperators.ASHR, 16)
                    .mul(scales22.lanewise(VectorOperators.LSHL, 16 - shift).lanewise(VectorOperators.ASHR, 24))));
            if (r != 31) {
                continue;
            }
            float xs = scales[b];
            IntVector d = IntVector.fromMemorySegment(INTS, seg, base + 2L * LINE * D_LINE, LE);
            IntVector d2 = IntVector.fromMemorySegment(INTS, seg, base + 2L * LINE * D_LINE + LINE, LE);
            low = FLOAT_VECTOR.cast(((FloatVector) lowTotal.convertShape(VectorOperators.I2F, FLOATS, 0))
                    .fma(d.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(HALF_BITS).reinterpretAsFloats().mul(HALF_BIAS).mul(xs), low));
            high = FLOAT_VECTOR.cast(((FloatVector) highTotal.convertShape(VectorOperators.I2F, FLOATS, 0))
                    .fma(d.lanewise(VectorOperators.ASHR, 3).and(HALF_BITS).reinterpretAsFloats().mul(HALF_BIAS).mul(xs), high));
            low2 = FLOAT_VECTOR.cast(((FloatVector) lowTotal2.convertShape(VectorOperators.I2F, FLOATS, 0))
                    .fma(d2.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(HALF_BITS).reinterpretAsFloats().mul(HALF_BIAS).mul(xs), low2));
            high2 = FLOAT_VECTOR.cast(((FloatVector) highTotal2.convertShape(VectorOperators.I2F, FLOATS, 0))
                    .fma(d2.lanewise(VectorOperators.ASHR, 3).and(HALF_BITS).reinterpretAsFloats().mul(HALF_BIAS).mul(xs), high2));
            lowTotal = zero;
            highTotal = zero;
            lowTotal2 = zero;
            highTotal2 = zero;
        }
        low.intoArray(out, outOffset);
        high.intoArray(out, outOffset + HALF);
        low2.intoArray(out, outOffset + GROUP);
        high2.intoArray(out, outOffset + GROUP + HALF);
    }
}
