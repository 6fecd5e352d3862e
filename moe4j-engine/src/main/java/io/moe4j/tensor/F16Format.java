package io.moe4j.tensor;

import io.moe4j.gguf.GgmlType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

final class F16Format extends PlainFormat {
    static final ValueLayout.OfShort LAYOUT = Bits.U16;

    F16Format() {
        super(GgmlType.F16);
    }

    @Override
    public void dequantize(MemorySegment data, long offset, float[] dst, int dstOffset, int count) {
        int i = 0;
        for (; i + Lanes.LENGTH <= count; i += Lanes.LENGTH) {
            Lanes.halfToFloats(data, offset + 2L * i).intoArray(dst, dstOffset + i);
        }
        for (; i < count; i++) {
            dst[dstOffset + i] = Float.float16ToFloat(data.get(LAYOUT, offset + 2L * i));
        }
    }

    /** Round to nearest even, as ggml's fp32→fp16 conversion (F16C or its software fallback). */
    @Override
    public void quantize(float[] src, int srcOffset, int count, MemorySegment dst, long dstOffset) {
        for (int i = 0; i < count; i++) {
            dst.set(LAYOUT, dstOffset + 2L * i, Float.floatToFloat16(src[srcOffset + i]));
        }
    }
}
