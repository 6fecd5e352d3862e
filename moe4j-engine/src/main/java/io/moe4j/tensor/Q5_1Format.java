package io.moe4j.tensor;

import io.moe4j.gguf.GgmlType;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

/** {@code block_q5_1}: fp16 scale d, fp16 offset m, fifth bits and nibbles as in Q5_0; x = q*d + m. */
final class Q5_1Format extends QuantizedFormat {

    Q5_1Format() {
        super(GgmlType.Q5_1);
    }

    @Override
    void decodeBlock(MemorySegment data, long offset, float[] dst, int dstOffset) {
        float d = Bits.f16(data, offset);
        float m = Bits.f16(data, offset + 2);
        int qh = Bits.u32(data, offset + 4);
        for (int j = 0; j < 16; j++) {
            int q = Bits.u8(data, offset + 8 + j);
            int x0 = (q & 0x0F) | (((qh >>> j) << 4) & 0x10);
            int x1 = (q >>> 4) | ((qh >>> (j + 12)) & 0x10);
            dst[dstOffset + j] = x0 * d + m;
            dst[dstOffset + j + 16] = x1 * d + m;
        }
    }

    @Override
    public float dot(MemorySegment data, long offset, float[] x, int xOffset, float[] xScales, int scaleOffset, int count) {
        int blocks = checkedBlocks(x, xOffset, xScales, scaleOffset, count);
        FloatVector acc = FloatVector.zero(Lanes.FLOATS);
        for (int b = 0; b < blocks; b++) {
            long at = offset + (long) b * blockBytes;
            float xd = xScales == null ? 1f : xScales[scaleOffset + b];
            int xo = xOffset + b * blockSize;
            IntVector qh = IntVector.broadcast(Lanes.INTS, Bits.u32(data, at + 4));
            FloatVector qx = FloatVector.zero(Lanes.FLOATS);
            FloatVector xs = FloatVector.zero(Lanes.FLOATS);
            for (int j = 0; j < 16; j += Lanes.LENGTH) {
                IntVector q = Lanes.unsignedBytes(data, at + 8 + j);
                IntVector bit = Lanes.IOTA.add(j);
                IntVector high0 = qh.lanewise(VectorOperators.LSHR, bit).and(1).lanewise(VectorOperators.LSHL, 4);
                IntVector high1 = qh.lanewise(VectorOperators.LSHR, bit.add(12)).and(0x10);
                FloatVector x0 = FloatVector.fromArray(Lanes.FLOATS, x, xo + j);
                FloatVector x1 = FloatVector.fromArray(Lanes.FLOATS, x, xo + j + 16);
                qx = Lanes.toFloats(q.and(0x0F).or(high0)).fma(x0, qx);
                qx = Lanes.toFloats(q.lanewise(VectorOperators.LSHR, 4).or(high1)).fma(x1, qx);
                xs = xs.add(x0).add(x1);
            }
            acc = xs.fma(Lanes.splat(Bits.f16(data, at + 2) * xd), qx.fma(Lanes.splat(Bits.f16(data, at) * xd), acc));
        }
        return Lanes.sum(acc);
    }

    @Override
    void encodeBlock(float[] x, int o, byte[] block) {
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (int j = 0; j < 32; j++) {
            float v = x[o + j];
            if (v < min) min = v;
            if (v > max) max = v;
        }
        float d = (max - min) / 31;
        float id = d != 0f ? 1.0f / d : 0f;
        Bits.putF16(block, 0, d);
        Bits.putF16(block, 2, min);
        int qh = 0;
        for (int j = 0; j < 16; j++) {
            // ggml does not clamp here; (max-min)*id cannot round past 31.5, the clamp only documents that.
            int q0 = Math.min(31, (int) ((x[o + j] - min) * id + 0.5f));
            int q1 = Math.min(31, (int) ((x[o + j + 16] - min) * id + 0.5f));
            block[8 + j] = (byte) ((q0 & 0x0F) | ((q1 & 0x0F) << 4));
            qh |= ((q0 & 0x10) >>> 4) << j;
            qh |= ((q1 & 0x10) >>> 4) << (j + 16);
        }
        Bits.putU32(block, 4, qh);
    }
}
