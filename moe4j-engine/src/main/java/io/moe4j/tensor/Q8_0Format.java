package io.moe4j.tensor;

import io.moe4j.gguf.GgmlType;


import java.lang.foreign.MemorySegment;

/** {@code block_q8_0}: fp16 scale d, then 32 signed bytes; x = q*d. */
final class Q8_0Format extends QuantizedFormat {

    Q8_0Format() {
        super(GgmlType.Q8_0);
    }

    @Override
    void decodeBlock(MemorySegment data, long offset, float[] dst, int dstOffset) {
        float d = Bits.f16(data, offset);
        for (int j = 0; j < 32; j += Lanes.LENGTH) {
            Lanes.toFloats(Lanes.bytes(data, offset + 2 + j)).mul(d).intoArray(dst, dstOffset + j);
        }
    }

    @Override
    void encodeBlock(float[] x, int o, byte[] block) {
        float amax = 0f;
        for (int j = 0; j < 32; j++) {
            amax = Math.max(amax, Math.abs(x[o + j]));
        }
        float d = amax / 127;
        float id = d != 0f ? 1.0f / d : 0f;
        Bits.putF16(block, 0, d);
        for (int j = 0; j < 32; j++) {
            block[2 + j] = (byte) QuantMath.roundf(x[o + j] * id);
        }
    }
}
