package io.moe4j.tensor;

import io.moe4j.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Encodes floats into one ggml weight type. Kept apart from {@link BlockFormat} because inference only ever
 * reads weights: quantizing is for writing test data and synthetic models, and it follows ggml's scalar
 * reference quantizers ({@code quantize_row_*_ref}) rather than anything tuned for speed.
 */
public interface BlockQuantizer {

    GgmlType type();

    /**
     * Encodes {@code src[srcOffset..srcOffset+count)} at byte {@code dstOffset} of {@code dst}; {@code count}
     * must be a multiple of {@link GgmlType#blockSize()}, and {@code type().byteSize(count)} bytes are written.
     */
    void quantize(float[] src, int srcOffset, int count, MemorySegment dst, long dstOffset);

    /** All of {@code src} encoded into a new heap segment of exactly the encoded size. */
    default MemorySegment quantize(float[] src) {
        MemorySegment out = MemorySegment.ofArray(new byte[Math.toIntExact(type().byteSize(checkedCount(type(), src.length)))]);
        quantize(src, 0, src.length, out, 0);
        return out;
    }

    /** {@code count} if it is a whole number of blocks of {@code type}; an IllegalArgumentException otherwise. */
    static int checkedCount(GgmlType type, int count) {
        if (count < 0 || count % type.blockSize() != 0) {
            throw new IllegalArgumentException(count + " values are not a whole number of " + type + " blocks of "
                    + type.blockSize());
        }
        return count;
    }
}
