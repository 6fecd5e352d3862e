package io.moe4j.tensor;

import io.moe4j.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * How one ggml weight type is laid out in blocks, and the arithmetic on it: decoding to floats and the
 * dot product of a run of stored values with a float vector. One implementation per type; everything
 * above this interface (matrices, experts, the model) is type-agnostic.
 *
 * <p>Offsets are in bytes into {@code data}; {@code count} is a number of elements and a multiple of
 * {@link GgmlType#blockSize()}.
 */
public interface BlockFormat {

    GgmlType type();

    /** Decodes {@code count} values starting at byte {@code offset} into {@code dst[dstOffset..]}. */
    void dequantize(MemorySegment data, long offset, float[] dst, int dstOffset, int count);

    /** The dot product of {@code count} stored values starting at byte {@code offset} with {@code x[xOffset..]}. */
    float dot(MemorySegment data, long offset, float[] x, int xOffset, int count);
}
