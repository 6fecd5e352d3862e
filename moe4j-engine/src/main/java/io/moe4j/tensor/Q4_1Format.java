package io.moe4j.tensor;

import io.moe4j.gguf.GgmlType;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

/** {@code block_q4_1}: fp16 scale d, fp16 offset m, 16 bytes of nibbles as in Q4_0; x = q*d + m. */
final class Q4_1Format extends QuantizedFormat {

    Q4_1Format() {
        super(GgmlType.Q4_1);
    }

    @Override
    void decodeBlock(MemorySegment data, long offset, float[] dst, int dstOffset) {
        float d = Bits.f16(data, offset);
        float m = Bits.f16(data, offset + 2);
        for (int j = 0; j < 16; j++) {
            int q = Bits.u8(data, offset + 4 + j);
            dst[dstOffset + j] = (q & 0x0F) * d + m;
            dst[dstOffset + j + 16] = (q >>> 4) * d + m;
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
            FloatVector qx = FloatVector.zero(Lanes.FLOATS);
            FloatVector xs = FloatVector.zero(Lanes.FLOATS);
            for (int j = 0; j < 16; j += Lanes.LENGTH) {
                IntVector q = Lanes.unsignedBytes(data, at + 4 + j);
                FloatVector x0 = FloatVector.fromArray(Lanes.FLOATS, x, xo + j);
                FloatVector x1 = FloatVector.fromArray(Lanes.FLOATS, x, xo + j + 16);
                qx = Lanes.toFloats(q.and(0x0F)).fma(x0, qx);
                qx = Lanes.toFloats(q.lanewise(VectorOperators.LSHR, 4)).fma(x1, qx);
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
        float d = (max - min) / 15;
        float id = d != 0f ? 1.0f / d : 0f;
        Bits.putF16(block, 0, d);
        Bits.putF16(block, 2, min);
        for (int j = 0; j < 16; j++) {
            int q0 = Math.min(15, (byte) (int) ((x[o + j] - min) * id + 0.5f));
            int q1 = Math.min(15, (byte) (int) ((x[o + j + 16] - min) * id + 0.5f));
            block[4 + j] = (byte) (q0 | (q1 << 4));
        }
    }
}
