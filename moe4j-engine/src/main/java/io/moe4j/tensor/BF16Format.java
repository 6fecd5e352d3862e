package io.moe4j.tensor;

import io.moe4j.gguf.GgmlType;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

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
        float sum = Lanes.sum(acc0.add(acc1));
        for (; i < n; i++) {
            sum += value(data, offset + 2L * i) * x[xOffset + i];
        }
        return sum;
    }

    @Override
    FloatVector lanes(MemorySegment data, long offset) {
        return Lanes.bf16ToFloats(data, offset);
    }

    @Override
    float value(MemorySegment data, long offset) {
        return Bits.bf16(data, offset);
    }

    @Override
    public void quantize(float[] src, int srcOffset, int count, MemorySegment dst, long dstOffset) {
        for (int i = 0; i < count; i++) {
            dst.set(Bits.U16, dstOffset + 2L * i, Bits.floatToBf16(src[srcOffset + i]));
        }
    }
}
