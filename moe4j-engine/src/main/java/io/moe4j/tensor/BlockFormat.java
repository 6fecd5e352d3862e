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
    default float dot(MemorySegment data, long offset, float[] x, int xOffset, int count) {
        return dot(data, offset, x, xOffset, null, 0, count);
    }

    /**
     * The dot product with activations held as llama.cpp holds them for quantized weights: integer codes
     * {@code x[xOffset..]} (as floats) times one scale per weight block, {@code xScales[scaleOffset + b]} for
     * block b. Multiplying codes and applying both scales once per block is llama.cpp's own order, which keeps
     * the block sums exact. With {@code xScales == null}, and always for unquantized types, x holds plain values.
     */
    float dot(MemorySegment data, long offset, float[] x, int xOffset, float[] xScales, int scaleOffset, int count);

    /**
     * {@link #dot} for four consecutive rows, {@code rowBytes} apart, into {@code out[outOffset..outOffset+4)}:
     * bit for bit the four values {@code dot} gives. Formats override it with a loop over two rows at a time,
     * which loads each activation vector once for both rows, keeps two independent chains of multiply-adds in
     * flight and pays the call and the loop's set-up once for four rows; short rows (the 256-wide tiny model,
     * experts' down projections) gain most.
     */
    default void dot4(MemorySegment data, long offset, long rowBytes, float[] x, int xOffset, float[] xScales, int scaleOffset,
                      int count, float[] out, int outOffset) {
        for (int i = 0; i < 4; i++) {
            out[outOffset + i] = dot(data, offset + i * rowBytes, x, xOffset, xScales, scaleOffset, count);
        }
    }
}
