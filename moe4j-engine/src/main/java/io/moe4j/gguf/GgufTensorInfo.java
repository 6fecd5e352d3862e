package io.moe4j.gguf;

import java.util.Arrays;

/**
 * A tensor's description as stored in a GGUF file. {@code shape} is in ggml order: {@code shape[0]} is the
 * contiguous (innermost) dimension, so a matrix of R rows of C columns has shape {C, R}.
 * {@code offset} is relative to the start of the file's tensor data section.
 */
public record GgufTensorInfo(String name, long[] shape, GgmlType type, long offset) {

    public GgufTensorInfo {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** Size of dimension {@code i}, or 1 past the tensor's rank (as ggml pads shapes to 4 dimensions). */
    public long dim(int i) {
        return i < shape.length ? shape[i] : 1;
    }

    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public long byteSize() {
        return type.byteSize(elementCount());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufTensorInfo t && t.name.equals(name) && Arrays.equals(t.shape, shape)
                && t.type == type && t.offset == offset;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(shape);
    }
}
