package io.moe4j.tensor;

import io.moe4j.gguf.GgmlType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

final class F32Format extends PlainFormat {
    static final ValueLayout.OfFloat LAYOUT = Bits.F32;

    F32Format() {
        super(GgmlType.F32);
    }

    @Override
    public void dequantize(MemorySegment data, long offset, float[] dst, int dstOffset, int count) {
        MemorySegment.copy(data, LAYOUT, offset, dst, dstOffset, count);
    }

    @Override
    public void quantize(float[] src, int srcOffset, int count, MemorySegment dst, long dstOffset) {
        MemorySegment.copy(src, srcOffset, dst, LAYOUT, dstOffset, count);
    }
}
