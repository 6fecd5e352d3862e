package io.moe4j.tensor;

import io.moe4j.gguf.GgmlType;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

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

    @Override
    public float dot(MemorySegment data, long offset, float[] x, int xOffset, float[] xScales, int scaleOffset, int count) {
        int n = checkedCount(x, xOffset, count);
        int step = Lanes.LENGTH;
        FloatVector acc0 = FloatVector.zero(Lanes.FLOATS);
        FloatVector acc1 = acc0;
        int i = 0;
        for (; i + 2 * step <= n; i += 2 * step) {
            acc0 = lanes(data, offset + 2L * i).fma(FloatVector.fromArray(Lanes.FLOATS, x, xOffset + i), acc0);
            acc1 = lanes(data, offset + 2L * (i + step)).fma(FloatVector.fromArray(Lanes.FLOATS, x, xOffset + i + step), acc1);
        }
        // Lanes.sum written out: this method is compiled on its own (jit.options), and with two half conversions in its
        // loop it passes the JIT's inlining budget, so a call to Lanes.sum stayed a call that boxed its argument, 64
        // bytes a row: 4.2 MB a tiny-code-moe F16 decode step, and 1.21x the decode speed without (2026-12-01)
        FloatVector v = acc0.add(acc1);
        if (step > 8) {
            v = v.add(v.rearrange(Lanes.SWAP_8));
        }
        if (step > 4) {
            v = v.add(v.rearrange(Lanes.SWAP_4));
        }
        v = v.add(v.rearrange(Lanes.SWAP_2));
        v = v.add(v.rearrange(Lanes.SWAP_1));
        float sum = v.lane(0);
        for (; i < n; i++) {
            sum += value(data, offset + 2L * i) * x[xOffset + i];
        }
        return sum;
    }

    @Override
    FloatVector lanes(MemorySegment data, long offset) {
        return Lanes.halfToFloats(data, offset);
    }

    @Override
    float value(MemorySegment data, long offset) {
        return Float.float16ToFloat(data.get(LAYOUT, offset));
    }

    /** Round to nearest even, as ggml's fp32→fp16 conversion (F16C or its software fallback). */
    @Override
    public void quantize(float[] src, int srcOffset, int count, MemorySegment dst, long dstOffset) {
        for (int i = 0; i < count; i++) {
            dst.set(LAYOUT, dstOffset + 2L * i, Float.floatToFloat16(src[srcOffset + i]));
        }
    }
}
