package io.moe4j.tensor;

import io.moe4j.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Base of the block-quantized types. A subclass states only how one block's bytes map to floats
 * ({@link #decodeBlock}) and back ({@link #encodeBlock}); dequantizing, the dot product and quantizing runs of
 * blocks are written once here, so the layout arithmetic of each type exists in exactly one place.
 *
 * <p>Why the decoders are exact whatever the evaluation order: fp16 scales have 11 significant bits and the
 * integer part of every product (scale*q, min) stays below 2^13 in magnitude (Q6_K's 128*32 is the largest),
 * so d*scale*q and dmin*min are exact in a float's 24 bits in any grouping; only the final {@code + m} /
 * {@code - m1} rounds, once. FMA contraction in a compiled ggml cannot change a
 * value, and vectorised decoders may regroup the products freely; they must only keep that last operation.
 *
 * <p>Each format's {@code dot} is fused and has one shape: a loop over blocks that turns the block's codes
 * into float vectors in registers (the same values {@link #decodeBlock} gives), multiplies them with x there,
 * scales once per block into one vector accumulator, and reduces once at the end. So weights stream from
 * memory once and are never stored as floats. The loop is written out in every format rather than shared with
 * a per-block method: the JIT compiles a shared loop once, does not inline a virtual per-block call once two
 * formats have run (nor a large block method compiled on its own), and then boxes a vector per block, which
 * measured 5-100x slower.
 */
abstract class QuantizedFormat implements BlockFormat, BlockQuantizer {
    private final GgmlType type;
    final int blockSize;
    final int blockBytes;

    QuantizedFormat(GgmlType type) {
        this.type = type;
        this.blockSize = type.blockSize();
        this.blockBytes = type.bytesPerBlock();
    }

    @Override
    public final GgmlType type() {
        return type;
    }

    /** Decodes the block at byte {@code offset} into {@code dst[dstOffset..dstOffset+blockSize)}, bit-exact to ggml. */
    abstract void decodeBlock(MemorySegment data, long offset, float[] dst, int dstOffset);

    /** Encodes {@code src[srcOffset..srcOffset+blockSize)} into {@code block[0..blockBytes)}, which arrives zeroed. */
    abstract void encodeBlock(float[] src, int srcOffset, byte[] block);

    @Override
    public final void dequantize(MemorySegment data, long offset, float[] dst, int dstOffset, int count) {
        int blocks = BlockQuantizer.checkedCount(type, count) / blockSize;
        for (int b = 0; b < blocks; b++) {
            decodeBlock(data, offset + (long) b * blockBytes, dst, dstOffset + b * blockSize);
        }
    }

    /** The number of blocks in {@code count} values, after checking that x (and its scales) hold them. */
    final int checkedBlocks(float[] x, int xOffset, float[] xScales, int scaleOffset, int count) {
        int blocks = BlockQuantizer.checkedCount(type, count) / blockSize;
        java.util.Objects.checkFromIndexSize(xOffset, count, x.length);
        if (xScales != null) {
            java.util.Objects.checkFromIndexSize(scaleOffset, blocks, xScales.length);
        }
        return blocks;
    }

    @Override
    public final void quantize(float[] src, int srcOffset, int count, MemorySegment dst, long dstOffset) {
        int blocks = BlockQuantizer.checkedCount(type, count) / blockSize;
        byte[] block = new byte[blockBytes];
        for (int b = 0; b < blocks; b++) {
            java.util.Arrays.fill(block, (byte) 0);
            encodeBlock(src, srcOffset + b * blockSize, block);
            MemorySegment.copy(block, 0, dst, Bits.U8, dstOffset + (long) b * blockBytes, blockBytes);
        }
    }

    @Override
    public String toString() {
        return type.toString();
    }
}
