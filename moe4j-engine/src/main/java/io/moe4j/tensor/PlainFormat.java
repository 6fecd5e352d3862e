package io.moe4j.tensor;

import io.moe4j.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Base of the unquantized types (one value per "block"). Subclasses convert runs of values each way; the dot
 * product converts a chunk at a time into a per-call scratch array, so it sees exactly the floats
 * {@link #dequantize} gives and shares no state between threads.
 */
abstract class PlainFormat implements BlockFormat, BlockQuantizer {
    private static final int CHUNK = 256;
    private final GgmlType type;
    private final int elementBytes;

    PlainFormat(GgmlType type) {
        this.type = type;
        this.elementBytes = type.bytesPerBlock();
    }

    @Override
    public final GgmlType type() {
        return type;
    }

    @Override
    public final float dot(MemorySegment data, long offset, float[] x, int xOffset, int count) {
        BlockQuantizer.checkedCount(type, count);
        float[] w = new float[Math.min(CHUNK, count)];
        float sum = 0f;
        for (int i = 0; i < count; i += CHUNK) {
            int n = Math.min(CHUNK, count - i);
            dequantize(data, offset + (long) i * elementBytes, w, 0, n);
            sum += Dot.dot(w, 0, x, xOffset + i, n);
        }
        return sum;
    }

    @Override
    public String toString() {
        return type.toString();
    }
}
