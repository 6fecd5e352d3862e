package io.moe4j.tensor;

import io.moe4j.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/** bfloat16: the top half of an fp32, so decoding is a shift; encoding rounds as ggml does. */
final class BF16Format extends PlainFormat {

    BF16Format() {
        super(GgmlType.BF16);
    }

    @Override
    public void dequantize(MemorySegment data, long offset, float[] dst, int dstOffset, int count) {
        for (int i = 0; i < count; i++) {
            dst[dstOffset + i] = Bits.bf16(data, offset + 2L * i);
        }
    }

    @Override
    public void quantize(float[] src, int srcOffset, int count, MemorySegment dst, long dstOffset) {
        for (int i = 0; i < count; i++) {
            dst.set(Bits.U16, dstOffset + 2L * i, Bits.floatToBf16(src[srcOffset + i]));
        }
    }
}
