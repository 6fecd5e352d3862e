package io.moe4j.tensor;

import io.moe4j.gguf.GgmlType;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

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
    public float dot(MemorySegment data, long offset, float[] x, int xOffset, float[] xScales, int scaleOffset, int count) {
        int n = checkedCount(x, xOffset, count);
        int step = Lanes.LENGTH;
        FloatVector acc0 = FloatVector.zero(Lanes.FLOATS);
        FloatVector acc1 = acc0;
        int i = 0;
        for (; i + 2 * step <= n; i += 2 * step) {
            acc0 = lanes(data, offset + 4L * i).fma(FloatVector.fromArray(Lanes.FLOATS, x, xOffset + i), acc0);
            acc1 = lanes(data, offset + 4L * (i + step)).fma(FloatVector.fromArray(Lanes.FLOATS, x, xOffset + i + step), acc1);
        }
        float sum = Lanes.sum(acc0.add(acc1));
        for (; i < n; i++) {
            sum += value(data, offset + 4L * i) * x[xOffset + i];
        }
        return sum;
    }

    @Override
    FloatVector lanes(MemorySegment data, long offset) {
        return FloatVector.fromMemorySegment(Lanes.FLOATS, data, offset, ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    float value(MemorySegment data, long offset) {
        return data.get(LAYOUT, offset);
    }

    @Override
    public void quantize(float[] src, int srcOffset, int count, MemorySegment dst, long dstOffset) {
        MemorySegment.copy(src, srcOffset, dst, LAYOUT, dstOffset, count);
    }
}
