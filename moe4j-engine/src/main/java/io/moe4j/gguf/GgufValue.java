package io.moe4j.gguf;

import java.util.Arrays;
import java.util.Objects;

/**
 * One metadata value with the type it has (or will have) in the file.
 *
 * <p>Java representation: integers of every width are {@code Long} (unsigned ones widened, UINT64 kept
 * as its bit pattern), FLOAT32 is {@code Float}, FLOAT64 {@code Double}, BOOL {@code Boolean}, STRING
 * {@code String}, and ARRAY a {@link GgufArray}.
 */
public record GgufValue(GgufValueType type, Object value) {

    public GgufValue {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
        Class<?> expected = switch (type) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> Long.class;
            case FLOAT32 -> Float.class;
            case FLOAT64 -> Double.class;
            case BOOL -> Boolean.class;
            case STRING -> String.class;
            case ARRAY -> GgufArray.class;
        };
        if (!expected.isInstance(value)) {
            throw new IllegalArgumentException(type + " value must be a " + expected.getSimpleName() + ", not " + value.getClass().getSimpleName());
        }
        if (value instanceof Long l && !type.fits(l)) {
            throw new IllegalArgumentException(l + " does not fit " + type);
        }
    }

    public static GgufValue ofString(String s) {
        return new GgufValue(GgufValueType.STRING, s);
    }

    public static GgufValue ofUint8(long v) {
        return new GgufValue(GgufValueType.UINT8, v);
    }

    public static GgufValue ofInt8(long v) {
        return new GgufValue(GgufValueType.INT8, v);
    }

    public static GgufValue ofUint16(long v) {
        return new GgufValue(GgufValueType.UINT16, v);
    }

    public static GgufValue ofInt16(long v) {
        return new GgufValue(GgufValueType.INT16, v);
    }

    public static GgufValue ofUint32(long v) {
        return new GgufValue(GgufValueType.UINT32, v);
    }

    public static GgufValue ofInt32(long v) {
        return new GgufValue(GgufValueType.INT32, v);
    }

    /** Values above 2^63-1 are passed as their (negative) bit pattern. */
    public static GgufValue ofUint64(long v) {
        return new GgufValue(GgufValueType.UINT64, v);
    }

    public static GgufValue ofInt64(long v) {
        return new GgufValue(GgufValueType.INT64, v);
    }

    public static GgufValue ofFloat32(float v) {
        return new GgufValue(GgufValueType.FLOAT32, v);
    }

    public static GgufValue ofFloat64(double v) {
        return new GgufValue(GgufValueType.FLOAT64, v);
    }

    public static GgufValue ofBool(boolean v) {
        return new GgufValue(GgufValueType.BOOL, v);
    }

    public static GgufValue ofArray(GgufArray a) {
        return new GgufValue(GgufValueType.ARRAY, a);
    }

    @Override
    public String toString() {
        return type == GgufValueType.STRING ? '"' + (String) value + '"' : String.valueOf(value);
    }

    /**
     * A metadata array. {@code values} is a {@code long[]} for every integer element type, {@code float[]}
     * for FLOAT32, {@code double[]} for FLOAT64, {@code boolean[]} for BOOL, {@code String[]} for STRING
     * and {@code GgufArray[]} for nested arrays.
     */
    public record GgufArray(GgufValueType elementType, Object values) {

        public GgufArray {
            Objects.requireNonNull(elementType, "elementType");
            Class<?> expected = switch (elementType) {
                case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> long[].class;
                case FLOAT32 -> float[].class;
                case FLOAT64 -> double[].class;
                case BOOL -> boolean[].class;
                case STRING -> String[].class;
                case ARRAY -> GgufArray[].class;
            };
            if (!expected.isInstance(values)) {
                throw new IllegalArgumentException("array of " + elementType + " must hold a " + expected.getSimpleName());
            }
        }

        public static GgufArray ofStrings(String... values) {
            return new GgufArray(GgufValueType.STRING, values);
        }

        public static GgufArray ofFloats(float... values) {
            return new GgufArray(GgufValueType.FLOAT32, values);
        }

        public static GgufArray ofDoubles(double... values) {
            return new GgufArray(GgufValueType.FLOAT64, values);
        }

        public static GgufArray ofBools(boolean... values) {
            return new GgufArray(GgufValueType.BOOL, values);
        }

        /** Integers of any integer element type; whether each fits the type is checked when it is written. */
        public static GgufArray ofInts(GgufValueType type, long... values) {
            return new GgufArray(type, values);
        }

        public static GgufArray ofArrays(GgufArray... values) {
            return new GgufArray(GgufValueType.ARRAY, values);
        }

        public int length() {
            return java.lang.reflect.Array.getLength(values);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof GgufArray a && a.elementType == elementType
                    && Arrays.deepEquals(new Object[] {values}, new Object[] {a.values});
        }

        @Override
        public int hashCode() {
            return 31 * elementType.hashCode() + Arrays.deepHashCode(new Object[] {values});
        }

        @Override
        public String toString() {
            return "[" + elementType + " x " + length() + "]";
        }
    }
}
