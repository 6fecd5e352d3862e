package io.moe4j.tensor;

import io.moe4j.gguf.GgmlType;

import jdk.incubator.vector.FloatVector;

import java.lang.foreign.MemorySegment;

/**
 * Base of the unquantized types (one value per "block"). Subclasses convert runs of values each way, and load
 * one vector's worth of values ({@link #lanes}) for their dot product, whose loop each repeats for the reason
 * given in {@link QuantizedFormat}. Activations for these types are plain values: activation scales are ignored.
 */
abstract class PlainFormat implements BlockFormat, BlockQuantizer {
    private final GgmlType type;

    PlainFormat(GgmlType type) {
        this.type = type;
    }

    @Override
    public final GgmlType type() {
        return type;
    }

    /** {@link Lanes#LENGTH} values starting at byte {@code offset}, as floats. */
    abstract FloatVector lanes(MemorySegment data, long offset);

    /** The value at byte {@code offset}. */
    abstract float value(MemorySegment data, long offset);

    /** {@code count}, after checking that it is a valid length and that x holds that many values. */
    final int checkedCount(float[] x, int xOffset, int count) {
        java.util.Objects.checkFromIndexSize(xOffset, count, x.length);
        return BlockQuantizer.checkedCount(type, count);
    }

    @Override
    public String toString() {
        return type.toString();
    }
}
