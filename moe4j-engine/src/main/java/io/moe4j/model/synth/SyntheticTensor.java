package io.moe4j.model.synth;

import io.moe4j.gguf.GgmlType;

import java.util.Arrays;

/**
 * One tensor of a synthetic model: its name, its shape in ggml order (innermost first), its type and
 * whether it holds random weights or the ones of a norm.
 */
public record SyntheticTensor(String name, long[] shape, GgmlType type, Values values) {

    /** What a tensor holds. */
    public enum Values {
        /** Random weights of standard deviation {@link SyntheticModel#WEIGHT_STD}. */
        RANDOM,
        /** All ones: a norm weight that leaves the normalised vector as it is. */
        ONES
    }

    public SyntheticTensor {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** The innermost dimension: the length of the rows the type's blocks must tile. */
    public long rowLength() {
        return shape[0];
    }

    public long elementCount() {
        return Arrays.stream(shape).reduce(1, Math::multiplyExact);
    }

    public long byteSize() {
        return type.byteSize(elementCount());
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(shape);
    }
}
