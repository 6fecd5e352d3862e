package io.moe4j.tensor;

import io.moe4j.gguf.GgmlType;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

/**
 * {@code block_q6_K}: 256 values as 128 bytes of low nibbles (ql), 64 bytes of 2-bit high parts (qh), sixteen
 * int8 scales (one per 16 values) and, last, the fp16 super-scale d. Value {@code v} decodes as
 * {@code (d*scale)*(q-32)}, in that float order as {@code dequantize_row_q6_K} does.
 *
 * <p>Within each 128-value half n, for l &lt; 32: ql byte {@code 64n+l} holds values l (low nibble) and 64+l
 * (high); ql byte {@code 64n+32+l} holds 32+l and 96+l; qh byte {@code 32n+l} holds the high bits of l, 32+l,
 * 64+l, 96+l in bit pairs 0-1, 2-3, 4-5, 6-7. Note that the scale is the last field, unlike every other type.
 */
final class Q6_KFormat extends QuantizedFormat {
    private static final int QL = 0;
    private static final int QH = 128;
    private static final int SCALES = 192;
    private static final int D = 208;

    Q6_KFormat() {
        super(GgmlType.Q6_K);
    }

    @Override
    void decodeBlock(MemorySegment data, long offset, float[] dst, int dstOffset) {
        float d = Bits.f16(data, offset + D);
        // groups k and k + 2 from one load of their ql and qh bytes, as in dot
        for (int n = 0; n < 2; n++) {
            long qh = offset + QH + 32 * n;
            long sc = offset + SCALES + 8 * n;
            int o = dstOffset + 128 * n;
            for (int half = 0; half < 2; half++) {
                long nibbles = offset + QL + 64 * n + 32 * half;
                for (int l = 0; l < 32; l += Lanes.LENGTH) {
                    IntVector q = Lanes.unsignedBytes(data, nibbles + l);
                    IntVector h = Lanes.unsignedBytes(data, qh + l);
                    IntVector low = lowGroup(q, h, half);
                    IntVector high = highGroup(q, h, half);
                    Lanes.toFloats(low.sub(32)).mul(d * Bits.s8(data, sc + l / 16 + 2 * half)).intoArray(dst, o + 32 * half + l);
                    Lanes.toFloats(high.sub(32)).mul(d * Bits.s8(data, sc + l / 16 + 2 * half + 4)).intoArray(dst, o + 32 * half + 64 + l);
                }
            }
        }
    }

    @Override
    public float dot(MemorySegment data, long offset, float[] x, int xOffset, float[] xScales, int scaleOffset, int count) {
        int blocks = checkedBlocks(x, xOffset, xScales, scaleOffset, count);
        FloatVector acc = FloatVector.zero(Lanes.FLOATS);
        for (int b = 0; b < blocks; b++) {
            long at = offset + (long) b * blockBytes;
            float xd = xScales == null ? 1f : xScales[scaleOffset + b];
            // groups k and k + 2 share their ql bytes (low and high nibbles) and, like all four, their qh bytes:
            // each loaded byte run serves two groups; their sums go to two chains, so the groups do not wait on one
            FloatVector even = FloatVector.zero(Lanes.FLOATS);
            FloatVector odd = even;
            for (int n = 0; n < 2; n++) {
                long qh = at + QH + 32 * n;
                long sc = at + SCALES + 8 * n;
                int xn = xOffset + b * 256 + 128 * n;
                for (int half = 0; half < 2; half++) {
                    long nibbles = at + QL + 64 * n + 32 * half;
                    for (int l = 0; l < 32; l += Lanes.LENGTH) {
                        IntVector q = Lanes.unsignedBytes(data, nibbles + l);
                        IntVector h = Lanes.unsignedBytes(data, qh + l);
                        IntVector low = lowGroup(q, h, half);
                        IntVector high = highGroup(q, h, half);
                        FloatVector p0 = Lanes.toFloats(low.sub(32)).mul(FloatVector.fromArray(Lanes.FLOATS, x, xn + 32 * half + l));
                        FloatVector p1 = Lanes.toFloats(high.sub(32)).mul(FloatVector.fromArray(Lanes.FLOATS, x, xn + 32 * half + 64 + l));
                        even = p0.fma(Lanes.splat(Bits.s8(data, sc + l / 16 + 2 * half)), even);
                        odd = p1.fma(Lanes.splat(Bits.s8(data, sc + l / 16 + 2 * half + 4)), odd);
                    }
                }
            }
            acc = even.add(odd).fma(Lanes.splat(Bits.f16(data, at + D) * xd), acc);
        }
        return Lanes.sum(acc);
    }

    /**
     * The 6-bit codes of group {@code half} (0 or 1) from its ql bytes' low nibbles and its bit pair in qh. The
     * high bits of group k sit at bits 2k..2k+1 of qh; the shift brings them to bits 4-5.
     */
    private static IntVector lowGroup(IntVector ql, IntVector qh, int half) {
        return ql.and(0x0F).or(qh.lanewise(VectorOperators.LSHL, 4 - 2 * half).and(0x30));
    }

    /** The codes of group {@code half + 2}: the same ql bytes' high nibbles and the bit pair two groups up. */
    private static IntVector highGroup(IntVector ql, IntVector qh, int half) {
        return ql.lanewise(VectorOperators.LSHR, 4).or(qh.lanewise(VectorOperators.LSHR, 2 * half).and(0x30));
    }

    /** ggml's {@code quantize_row_q6_K_ref}. */
    @Override
    void encodeBlock(float[] x, int o, byte[] block) {
        byte[] levels = new byte[256];
        float[] scales = new float[16];
        float maxScale = 0;
        float maxAbsScale = 0;
        for (int ib = 0; ib < 16; ib++) {
            float scale = QuantMath.makeQxQuants(16, 32, x, o + 16 * ib, levels, 16 * ib);
            scales[ib] = scale;
            if (Math.abs(scale) > maxAbsScale) {
                maxAbsScale = Math.abs(scale);
                maxScale = scale;
            }
        }
        if (maxAbsScale < QuantMath.GROUP_MAX_EPS) {
            return; // all zero, d = 0
        }
        float iscale = -128.f / maxScale;
        Bits.putF16(block, D, 1 / iscale);
        for (int ib = 0; ib < 16; ib++) {
            block[SCALES + ib] = (byte) Math.min(127, QuantMath.nearestInt(iscale * scales[ib]));
        }
        float dAll = Bits.f16(block, D);
        for (int j = 0; j < 16; j++) {
            float d = dAll * block[SCALES + j];
            if (d == 0f) continue;
            for (int ii = 0; ii < 16; ii++) {
                int l = QuantMath.nearestInt(x[o + 16 * j + ii] / d);
                levels[16 * j + ii] = (byte) (Math.max(-32, Math.min(31, l)) + 32);
            }
        }
        for (int n = 0; n < 2; n++) {
            for (int l = 0; l < 32; l++) {
                int j = 128 * n + l;
                int q1 = levels[j], q2 = levels[j + 32], q3 = levels[j + 64], q4 = levels[j + 96];
                block[QL + 64 * n + l] = (byte) ((q1 & 0x0F) | ((q3 & 0x0F) << 4));
                block[QL + 64 * n + 32 + l] = (byte) ((q2 & 0x0F) | ((q4 & 0x0F) << 4));
                block[QH + 32 * n + l] = (byte) ((q1 >>> 4) | ((q2 >>> 4) << 2) | ((q3 >>> 4) << 4) | ((q4 >>> 4) << 6));
            }
        }
    }
}
