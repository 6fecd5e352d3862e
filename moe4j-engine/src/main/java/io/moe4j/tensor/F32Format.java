package io.moe4j.tensor;

import io.moe4j.gguf.GgmlType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

final class F32Format implements BlockFormat {
    static final ValueLayout.OfFloat LAYOUT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Override
    public GgmlType type() {
        return GgmlType.F32;
    }

    @Override
    public void dequantize(MemorySegment data, long offset, float[] dst, int dstOffset, int count) {
        MemorySegment.copy(data, LAYOUT, offset, dst, dstOffset, count);
    }

    @Override
    public float dot(MemorySegment data, long offset, float[] x, int xOffset, int count) {
        float sum = 0f;
        for (int i = 0; i < count; i++) {
            sum += data.get(LAYOUT, offset + 4L * i) * x[xOffset + i];
        }
        return sum;
    }
}
