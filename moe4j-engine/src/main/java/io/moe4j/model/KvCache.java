package io.moe4j.model;

/**
 * Keys and values of every past position, per layer. Values are stored rounded to half precision, as
 * llama.cpp's default F16 cache does, so that results match its output; the arrays stay float so that
 * attention reads them without conversion.
 */
public final class KvCache {
    private final int capacity;
    private final int keyLength;
    private final int valueLength;
    private final float[][] keys;
    private final float[][] values;
    private final boolean halfPrecision;

    public KvCache(ModelConfig config, int capacity) {
        this(config.layerCount(), capacity, config.keyLength(), config.valueLength(), true);
    }

    public KvCache(int layers, int capacity, int keyLength, int valueLength, boolean halfPrecision) {
        if (capacity < 1) {
            throw new IllegalArgumentException("context size must be positive, got " + capacity);
        }
        this.capacity = capacity;
        this.keyLength = keyLength;
        this.valueLength = valueLength;
        this.halfPrecision = halfPrecision;
        this.keys = new float[layers][Math.multiplyExact(capacity, keyLength)];
        this.values = new float[layers][Math.multiplyExact(capacity, valueLength)];
    }

    public int capacity() {
        return capacity;
    }

    /** Bytes the cache would take stored as F16, as llama.cpp reports it. */
    public static long bytesFor(ModelConfig config, int capacity) {
        return 2L * capacity * config.layerCount() * (config.keyLength() + config.valueLength());
    }

    void store(int layer, int pos, float[] k, int kOffset, float[] v, int vOffset) {
        if (pos < 0 || pos >= capacity) {
            throw new IllegalArgumentException("position " + pos + " is outside the context of " + capacity);
        }
        copy(k, kOffset, keys[layer], pos * keyLength, keyLength);
        copy(v, vOffset, values[layer], pos * valueLength, valueLength);
    }

    private void copy(float[] src, int srcOffset, float[] dst, int dstOffset, int n) {
        if (halfPrecision) {
            for (int i = 0; i < n; i++) {
                dst[dstOffset + i] = Float.float16ToFloat(Float.floatToFloat16(src[srcOffset + i]));
            }
        } else {
            System.arraycopy(src, srcOffset, dst, dstOffset, n);
        }
    }

    float[] keys(int layer) {
        return keys[layer];
    }

    float[] values(int layer) {
        return values[layer];
    }

    int keyLength() {
        return keyLength;
    }

    int valueLength() {
        return valueLength;
    }
}
