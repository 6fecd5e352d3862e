package io.moe4j.gguf;

import io.moe4j.gguf.GgufValue.GgufArray;

import java.util.LinkedHashMap;
import java.util.Random;
import java.util.SequencedMap;

/** Small GGUF contents, written with {@link GgufWriter}, that use every metadata value type and several tensor types. */
final class SampleGguf {
    /** The most arrays that may nest, counting the top-level one. */
    static final int MAX_NESTED_ARRAYS = GgufFormat.MAX_ARRAY_NESTING + 1;

    private SampleGguf() {
    }

    /** One entry per scalar type extreme, array type, empty array, nesting case and string oddity. */
    static SequencedMap<String, GgufValue> everyValueType() {
        SequencedMap<String, GgufValue> m = new LinkedHashMap<>();
        m.put("uint8.min", GgufValue.ofUint8(0));
        m.put("uint8.max", GgufValue.ofUint8(255));
        m.put("int8.min", GgufValue.ofInt8(Byte.MIN_VALUE));
        m.put("int8.max", GgufValue.ofInt8(Byte.MAX_VALUE));
        m.put("uint16.max", GgufValue.ofUint16(0xFFFF));
        m.put("int16.min", GgufValue.ofInt16(Short.MIN_VALUE));
        m.put("int16.max", GgufValue.ofInt16(Short.MAX_VALUE));
        m.put("uint32.max", GgufValue.ofUint32(0xFFFF_FFFFL));
        m.put("int32.min", GgufValue.ofInt32(Integer.MIN_VALUE));
        m.put("int32.max", GgufValue.ofInt32(Integer.MAX_VALUE));
        m.put("uint64.max", GgufValue.ofUint64(-1L)); // 2^64-1 as its bit pattern
        m.put("uint64.2^63", GgufValue.ofUint64(Long.MIN_VALUE));
        m.put("int64.min", GgufValue.ofInt64(Long.MIN_VALUE));
        m.put("int64.max", GgufValue.ofInt64(Long.MAX_VALUE));
        m.put("float32.negative_zero", GgufValue.ofFloat32(-0.0f));
        m.put("float32.nan", GgufValue.ofFloat32(Float.NaN));
        m.put("float32.infinity", GgufValue.ofFloat32(Float.NEGATIVE_INFINITY));
        m.put("float32.min_subnormal", GgufValue.ofFloat32(Float.MIN_VALUE));
        m.put("float64.max", GgufValue.ofFloat64(Double.MAX_VALUE));
        m.put("float64.pi", GgufValue.ofFloat64(Math.PI));
        m.put("bool.true", GgufValue.ofBool(true));
        m.put("bool.false", GgufValue.ofBool(false));
        m.put("string.empty", GgufValue.ofString(""));
        m.put("string.non_ascii", GgufValue.ofString("héllo wörld, 日本語, emoji \uD83D\uDE42, NUL \u0000 inside"));
        m.put("ключ.ünïcode", GgufValue.ofString("a key that is not ASCII"));
        m.put("", GgufValue.ofString("the empty key"));
        for (GgufValueType t : GgufValueType.values()) {
            if (t.isInteger()) {
                m.put("array." + t, GgufValue.ofArray(GgufArray.ofInts(t, minOf(t), 0, 1, maxOf(t))));
            }
            m.put("array.empty." + t, GgufValue.ofArray(new GgufArray(t, emptyValues(t))));
        }
        m.put("array.FLOAT32", GgufValue.ofArray(GgufArray.ofFloats(1.5f, -0.0f, Float.NaN, Float.MAX_VALUE)));
        m.put("array.FLOAT64", GgufValue.ofArray(GgufArray.ofDoubles(-1e300, Double.MIN_VALUE)));
        m.put("array.BOOL", GgufValue.ofArray(GgufArray.ofBools(true, false, true)));
        m.put("array.STRING", GgufValue.ofArray(GgufArray.ofStrings("", "Ġthe", "日本", "\n")));
        m.put("array.nested.mixed", GgufValue.ofArray(GgufArray.ofArrays(
                GgufArray.ofStrings("a", "b"),
                GgufArray.ofInts(GgufValueType.INT16, -2, 2),
                GgufArray.ofArrays(),
                GgufArray.ofArrays(GgufArray.ofFloats(0.25f)))));
        m.put("array.nested.deepest", GgufValue.ofArray(nestedArrays(MAX_NESTED_ARRAYS)));
        return m;
    }

    /** {@code arrays} arrays nested in one another, the innermost holding one UINT8. */
    static GgufArray nestedArrays(int arrays) {
        GgufArray a = GgufArray.ofInts(GgufValueType.UINT8, 7);
        for (int i = 1; i < arrays; i++) {
            a = GgufArray.ofArrays(a);
        }
        return a;
    }

    static long minOf(GgufValueType t) {
        return switch (t) {
            case INT8 -> Byte.MIN_VALUE;
            case INT16 -> Short.MIN_VALUE;
            case INT32 -> Integer.MIN_VALUE;
            case INT64 -> Long.MIN_VALUE;
            default -> 0;
        };
    }

    static long maxOf(GgufValueType t) {
        return switch (t) {
            case UINT8 -> 0xFF;
            case INT8 -> Byte.MAX_VALUE;
            case UINT16 -> 0xFFFF;
            case INT16 -> Short.MAX_VALUE;
            case UINT32 -> 0xFFFF_FFFFL;
            case INT32 -> Integer.MAX_VALUE;
            case UINT64 -> -1L;
            case INT64 -> Long.MAX_VALUE;
            default -> throw new IllegalArgumentException(t + " is not an integer type");
        };
    }

    private static Object emptyValues(GgufValueType t) {
        return switch (t) {
            case FLOAT32 -> new float[0];
            case FLOAT64 -> new double[0];
            case BOOL -> new boolean[0];
            case STRING -> new String[0];
            case ARRAY -> new GgufArray[0];
            default -> new long[0];
        };
    }

    /** Random bytes for a tensor of this shape and type (any bytes are a valid tensor as far as the file goes). */
    static byte[] randomData(Random random, long[] shape, GgmlType type) {
        long elements = 1;
        for (long d : shape) {
            elements *= d;
        }
        byte[] data = new byte[Math.toIntExact(type.byteSize(elements))];
        random.nextBytes(data);
        return data;
    }

    /**
     * A writer holding every value type and tensors of ranks 1 to 4, the last one leaving padding at the end
     * of the file; about 2 KB written.
     */
    static GgufWriter small(long seed) {
        Random random = new Random(seed);
        GgufWriter w = new GgufWriter();
        everyValueType().forEach(w::putMetadata);
        addRandom(w, random, "vector", new long[] {8}, GgmlType.F32);
        addRandom(w, random, "matrix", new long[] {32, 2}, GgmlType.Q8_0);
        addRandom(w, random, "cube", new long[] {4, 2, 2}, GgmlType.F16);
        addRandom(w, random, "tesseract", new long[] {5, 1, 1, 1}, GgmlType.I8);
        return w;
    }

    static void addRandom(GgufWriter w, Random random, String name, long[] shape, GgmlType type) {
        w.addTensor(name, shape, type, randomData(random, shape, type));
    }
}
