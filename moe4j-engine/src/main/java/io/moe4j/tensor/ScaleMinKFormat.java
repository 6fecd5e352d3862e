package io.moe4j.tensor;

import io.moe4j.gguf.GgmlType;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

/**
 * Q4_K and Q5_K, which differ only in a fifth bit per value. A 256-value super-block holds fp16 {@code d}
 * and {@code dmin}, twelve bytes packing eight 6-bit (scale, min) pairs, for Q5_K 32 bytes of fifth bits,
 * then 128 bytes of nibbles. Sub-block s (32 values) decodes as {@code (d*scale_s)*q - (dmin*min_s)}, with
 * both products rounded to float first, exactly as {@code dequantize_row_q4_K}/{@code _q5_K} compute it.
 *
 * <p>Nibbles are interleaved per 64 values: byte {@code 32g+l} holds value {@code 64g+l} in its low nibble
 * and {@code 64g+32+l} in its high one; for Q5_K, bit s of qh byte l is the fifth bit of value {@code 32s+l}.
 */
final class ScaleMinKFormat extends QuantizedFormat {
    private static final int SCALES = 4;
    private static final int QH = 16;

    private final boolean fiveBit;
    private final int qsOffset;
    private final int nmax;
    private final float rmin;
    private final int nstep;

    private ScaleMinKFormat(GgmlType type, boolean fiveBit, float rmin, int nstep) {
        super(type);
        this.fiveBit = fiveBit;
        this.qsOffset = fiveBit ? QH + 32 : QH;
        this.nmax = fiveBit ? 31 : 15;
        this.rmin = rmin;
        this.nstep = nstep;
    }

    /** The search parameters are ggml's for each type. */
    static ScaleMinKFormat q4K() {
        return new ScaleMinKFormat(GgmlType.Q4_K, false, -1.0f, 20);
    }

    static ScaleMinKFormat q5K() {
        return new ScaleMinKFormat(GgmlType.Q5_K, true, -0.5f, 15);
    }

    /** The 6-bit scale of sub-block {@code j} (ggml's {@code get_scale_min_k4}, first half). */
    static int scale(MemorySegment data, long scales, int j) {
        return j < 4
                ? Bits.u8(data, scales + j) & 63
                : (Bits.u8(data, scales + j + 4) & 0x0F) | ((Bits.u8(data, scales + j - 4) >>> 6) << 4);
    }

    /** The 6-bit min of sub-block {@code j} (ggml's {@code get_scale_min_k4}, second half). */
    static int min(MemorySegment data, long scales, int j) {
        return j < 4
                ? Bits.u8(data, scales + j + 4) & 63
                : (Bits.u8(data, scales + j + 4) >>> 4) | ((Bits.u8(data, scales + j) >>> 6) << 4);
    }

    @Override
    void decodeBlock(MemorySegment data, long offset, float[] dst, int dstOffset) {
        float d = Bits.f16(data, offset);
        float dmin = Bits.f16(data, offset + 2);
        long qs = offset + qsOffset;
        for (int s = 0; s < 8; s++) {
            float d1 = d * scale(data, offset + SCALES, s);
            float m1 = dmin * min(data, offset + SCALES, s);
            long bytes = qs + 32L * (s >>> 1);
            int shift = 4 * (s & 1);
            int o = dstOffset + 32 * s;
            for (int l = 0; l < 32; l += Lanes.LENGTH) {
                IntVector q = Lanes.unsignedBytes(data, bytes + l).lanewise(VectorOperators.LSHR, shift).and(0x0F);
                if (fiveBit) {
                    q = q.or(Lanes.unsignedBytes(data, offset + QH + l).lanewise(VectorOperators.LSHR, s).and(1)
                            .lanewise(VectorOperators.LSHL, 4));
                }
                // (d1 * q) - m1 with two roundings, as ggml: no fused multiply-add
                Lanes.toFloats(q).mul(d1).sub(m1).intoArray(dst, o + l);
            }
        }
    }

    /**
     * Per 32-value sub-block: d*scale * sum(q*x) - dmin*min * sum(x), the two terms summed in separate
     * vectors so that the eight sub-blocks do not wait on one chain of adds. (Few vector operations per loop
     * body on purpose: a body unrolled by hand passes the JIT's inlining node limit and stops being compiled to
     * vector instructions.)
     */
    @Override
    public float dot(MemorySegment data, long offset, float[] x, int xOffset, float[] xScales, int scaleOffset, int count) {
        int blocks = checkedBlocks(x, xOffset, xScales, scaleOffset, count);
        FloatVector acc = FloatVector.zero(Lanes.FLOATS);
        for (int b = 0; b < blocks; b++) {
            long at = offset + (long) b * blockBytes;
            float xd = xScales == null ? 1f : xScales[scaleOffset + b];
            FloatVector scaled = FloatVector.zero(Lanes.FLOATS);
            FloatVector mins = scaled;
            for (int s = 0; s < 8; s++) {
                long bytes = at + qsOffset + 32L * (s >>> 1);
                int shift = 4 * (s & 1);
                int xs0 = xOffset + b * blockSize + 32 * s;
                FloatVector qx = FloatVector.zero(Lanes.FLOATS);
                FloatVector xs = qx;
                for (int l = 0; l < 32; l += Lanes.LENGTH) {
                    IntVector q = Lanes.unsignedBytes(data, bytes + l).lanewise(VectorOperators.LSHR, shift).and(0x0F);
                    if (fiveBit) {
                        q = q.or(Lanes.unsignedBytes(data, at + QH + l).lanewise(VectorOperators.LSHR, s).and(1)
                                .lanewise(VectorOperators.LSHL, 4));
                    }
                    FloatVector xv = FloatVector.fromArray(Lanes.FLOATS, x, xs0 + l);
                    qx = Lanes.toFloats(q).fma(xv, qx);
                    xs = xs.add(xv);
                }
                scaled = qx.fma(Lanes.splat(scale(data, at + SCALES, s)), scaled);
                mins = xs.fma(Lanes.splat(min(data, at + SCALES, s)), mins);
            }
            FloatVector withScale = scaled.fma(Lanes.splat(Bits.f16(data, at) * xd), acc);
            acc = mins.fma(Lanes.splat(-Bits.f16(data, at + 2) * xd), withScale);
        }
        return Lanes.sum(acc);
    }

    /** ggml's {@code quantize_row_q4_K_ref} / {@code quantize_row_q5_K_ref}. */
    @Override
    void encodeBlock(float[] x, int o, byte[] block) {
        byte[] levels = new byte[256];
        byte[] laux = new byte[32];
        float[] weights = new float[32];
        float[] mins = new float[8];
        float[] scales = new float[8];
        float maxScale = 0;
        float maxMin = 0;
        for (int j = 0; j < 8; j++) {
            int xo = o + 32 * j;
            float sumX2 = 0;
            for (int l = 0; l < 32; l++) sumX2 += x[xo + l] * x[xo + l];
            float avX = (float) Math.sqrt(sumX2 / 32);
            for (int l = 0; l < 32; l++) weights[l] = avX + Math.abs(x[xo + l]);
            scales[j] = QuantMath.makeQkx2Quants(32, nmax, x, xo, weights, levels, 32 * j, mins, j, laux, rmin, 0.1f, nstep);
            if (scales[j] > maxScale) maxScale = scales[j];
            if (mins[j] > maxMin) maxMin = mins[j];
        }
        float invScale = maxScale > 0 ? 63.f / maxScale : 0.f;
        float invMin = maxMin > 0 ? 63.f / maxMin : 0.f;
        int[] ls = new int[8];
        int[] lm = new int[8];
        for (int j = 0; j < 8; j++) {
            // ggml stores nearest_int's result in a uint8_t before clamping; & 0xFF keeps that wrap-around.
            ls[j] = Math.min(63, QuantMath.nearestInt(invScale * scales[j]) & 0xFF);
            lm[j] = Math.min(63, QuantMath.nearestInt(invMin * mins[j]) & 0xFF);
            if (j < 4) {
                block[SCALES + j] = (byte) ls[j];
                block[SCALES + j + 4] = (byte) lm[j];
            } else {
                block[SCALES + j + 4] = (byte) ((ls[j] & 0x0F) | ((lm[j] & 0x0F) << 4));
                block[SCALES + j - 4] |= (byte) ((ls[j] >>> 4) << 6);
                block[SCALES + j] |= (byte) ((lm[j] >>> 4) << 6);
            }
        }
        Bits.putF16(block, 0, maxScale / 63.f);
        Bits.putF16(block, 2, maxMin / 63.f);
        float dAll = Bits.f16(block, 0);
        float dminAll = Bits.f16(block, 2);
        for (int j = 0; j < 8; j++) {
            float d = dAll * ls[j];
            if (d == 0f) continue; // ggml keeps the levels of the search for such a sub-block
            float dm = dminAll * lm[j];
            for (int ii = 0; ii < 32; ii++) {
                int l = QuantMath.nearestInt((x[o + 32 * j + ii] + dm) / d);
                levels[32 * j + ii] = (byte) Math.max(0, Math.min(nmax, l));
            }
        }
        for (int g = 0; g < 4; g++) {
            for (int l = 0; l < 32; l++) {
                int lo = levels[64 * g + l];
                int hi = levels[64 * g + 32 + l];
                if (fiveBit) {
                    if (lo > 15) {
                        lo -= 16;
                        block[QH + l] |= (byte) (1 << (2 * g));
                    }
                    if (hi > 15) {
                        hi -= 16;
                        block[QH + l] |= (byte) (2 << (2 * g));
                    }
                }
                block[qsOffset + 32 * g + l] = (byte) (lo | (hi << 4));
            }
        }
    }
}
