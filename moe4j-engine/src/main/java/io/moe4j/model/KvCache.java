package io.moe4j.model;

import io.moe4j.tensor.VectorMath;

/**
 * Keys and values of every past position, per layer. Values are stored rounded to half precision, as
 * llama.cpp's default F16 cache does, so that results match its output; the arrays stay float so that
 * attention reads them without conversion (stored as halves, olmoe's attention at 512 positions took 30% longer
 * with the conversion written in vector operations, for half the memory).
 *
 * <p>Each layer keeps one KV head's positions together, so that a head's attention reads its keys and values as two
 * sequential streams: laid out position by position, a head's rows were 512-byte pieces 8 KB apart (olmoe), which
 * the hardware prefetchers follow poorly once the cache outgrows the caches (8 MB per layer at 512 positions).
 * Values lie position after position ({@code [head][position][valueHeadSize]}); keys in blocks of
 * {@link VectorMath#KEY_BLOCK} positions, element by element ({@code [head][block][headSize][KEY_BLOCK]}), the
 * layout {@link VectorMath#blockDots} computes a vector of scores from.
 */
public final class KvCache {
    private final int capacity;
    private final int kvHeads;
    private final int headSize;
    private final int valueHeadSize;
    private final float[][] keys;
    private final float[][] values;

    public KvCache(ModelConfig config, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("context size must be positive, got " + capacity);
        }
        this.capacity = capacity;
        this.kvHeads = config.headCountKv();
        this.headSize = config.headSize();
        this.valueHeadSize = config.valueHeadSize();
        this.keys = new float[config.layerCount()][Math.multiplyExact(VectorMath.wholeKeyBlocks(capacity), config.keyLength())];
        this.values = new float[config.layerCount()][Math.multiplyExact(capacity, config.valueLength())];
    }

    public int capacity() {
        return capacity;
    }

    /** Bytes the cache would take stored as F16, as llama.cpp reports it. */
    public static long bytesFor(ModelConfig config, int capacity) {
        return 2L * capacity * config.layerCount() * (config.keyLength() + config.valueLength());
    }

    /** Stores position {@code pos}'s keys and values, all KV heads one after the other as the projections give them. */
    void store(int layer, int pos, float[] k, int kOffset, float[] v, int vOffset) {
        if (pos < 0 || pos >= capacity) {
            throw new IllegalArgumentException("position " + pos + " is outside the context of " + capacity);
        }
        float[] layerKeys = keys[layer];
        int block = pos / VectorMath.KEY_BLOCK;
        int lane = pos % VectorMath.KEY_BLOCK;
        for (int h = 0; h < kvHeads; h++) {
            int at = keysOffset(h) + block * VectorMath.KEY_BLOCK * headSize + lane;
            VectorMath.storeKeyHalves(k, kOffset + h * headSize, layerKeys, at, headSize);
            VectorMath.roundToHalf(v, vOffset + h * valueHeadSize, values[layer], valueOffset(h, pos), valueHeadSize);
        }
    }

    /** Layer {@code layer}'s keys, each a half-precision value. */
    float[] keys(int layer) {
        return keys[layer];
    }

    /** Layer {@code layer}'s values, each a half-precision value. */
    float[] values(int layer) {
        return values[layer];
    }

    /** Where KV head {@code head}'s first block of keys starts in {@link #keys} (the layout {@link VectorMath#blockDots} reads). */
    int keysOffset(int head) {
        return head * VectorMath.wholeKeyBlocks(capacity) * headSize;
    }

    /** Where KV head {@code head}'s value at {@code pos} starts in {@link #values}; the next position's follows it. */
    int valueOffset(int head, int pos) {
        return (head * capacity + pos) * valueHeadSize;
    }
}
