package io.moe4j.tensor;

import io.moe4j.gguf.GgmlType;

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
