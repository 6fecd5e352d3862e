package io.moe4j.model.synth;

import io.moe4j.gguf.GgmlType;
import io.moe4j.tensor.BlockFormats;

import java.lang.foreign.MemorySegment;

/**
 * A set of quantized blocks of random weights, from which the weights of quantized tensors are assembled
 * block by randomly chosen block. ggml's reference quantizers are slow (the K-quants search for their
 * scales: about 8 M values/s for Q4_K), which would make a 30 GB model take hours; copying pre-quantized
 * blocks runs at memory speed. With {@value #BLOCKS} distinct blocks, rows of a few blocks are already
 * all different, which is all a random-weight model for speed measurements needs.
 */
final class BlockPool {
    /** Blocks in the pool: a power of two (so an index is a masked random number), 4 M values for K-quants. */
    static final int BLOCKS = 1 << 14;

    private final byte[] blocks;
    private final int blockBytes;

    BlockPool(GgmlType type, long seed) {
        this.blockBytes = type.bytesPerBlock();
        int values = BLOCKS * type.blockSize();
        float[] random = new float[values];
        new RandomWeights(seed, -1, type.id()).fill(random, values, SyntheticModel.WEIGHT_STD);
        this.blocks = new byte[BLOCKS * blockBytes];
        BlockFormats.quantizer(type).quantize(random, 0, values, MemorySegment.ofArray(blocks), 0);
    }

    /** Writes {@code count} blocks, each chosen by {@code random}, at the start of {@code dst}. */
    void sample(RandomWeights random, byte[] dst, int count) {
        for (int i = 0; i < count; i++) {
            System.arraycopy(blocks, random.nextIndex(BLOCKS) * blockBytes, dst, i * blockBytes, blockBytes);
        }
    }
}
