package io.moe4j.gguf;

import java.util.Objects;

/**
 * Encodes one metadata entry (key, type id, value) as GGUF bytes. Encoding happens when the entry is added,
 * so a value the file could not hold (an integer out of its type's range, a null element, arrays nested
 * deeper than readers accept) is refused with the key in the message, and later changes to the caller's
 * arrays cannot alter what is written.
 */
final class MetadataEncoder {
    private final String key;
    private final ByteSink out = new ByteSink();

    private MetadataEncoder(String key) {
        this.key = key;
    }

    static byte[] encode(String key, GgufValue value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        MetadataEncoder e = new MetadataEncoder(key);
        e.out.string(key).u32(value.type().id());
        e.value(value.type(), value.value(), 0);
        return e.out.toByteArray();
    }

    private void value(GgufValueType type, Object v, int depth) {
        switch (type) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> integer(type, (Long) v);
            case FLOAT32 -> out.f32((Float) v);
            case FLOAT64 -> out.f64((Double) v);
            case BOOL -> out.u8((Boolean) v ? 1 : 0);
            case STRING -> out.string((String) v);
            case ARRAY -> array((GgufValue.GgufArray) v, depth);
        }
    }

    private void integer(GgufValueType type, long v) {
        if (!type.fits(v)) {
            throw invalid(v + " does not fit " + type);
        }
        switch (type) {
            case UINT8, INT8 -> out.u8((int) v);
            case UINT16, INT16 -> out.u16((int) v);
            case UINT32, INT32 -> out.u32((int) v);
            default -> out.u64(v);
        }
    }

    private void array(GgufValue.GgufArray a, int depth) {
        if (depth > GgufFormat.MAX_ARRAY_NESTING) {
            throw invalid("arrays nested deeper than " + GgufFormat.MAX_ARRAY_NESTING + " levels");
        }
        GgufValueType et = a.elementType();
        out.u32(et.id()).u64(a.length());
        switch (a.values()) {
            case long[] values -> {
                for (long v : values) {
                    integer(et, v);
                }
            }
            case float[] values -> {
                for (float v : values) {
                    out.f32(v);
                }
            }
            case double[] values -> {
                for (double v : values) {
                    out.f64(v);
                }
            }
            case boolean[] values -> {
                for (boolean v : values) {
                    out.u8(v ? 1 : 0);
                }
            }
            case Object[] values -> {
                for (int i = 0; i < values.length; i++) {
                    if (values[i] == null) {
                        throw invalid("array element " + i + " is null");
                    }
                    value(et, values[i], depth + 1);
                }
            }
            default -> throw new IllegalStateException("GgufArray holds a " + a.values().getClass());
        }
    }

    private IllegalArgumentException invalid(String problem) {
        return new IllegalArgumentException("metadata key " + Names.quote(key) + ": " + problem);
    }
}
