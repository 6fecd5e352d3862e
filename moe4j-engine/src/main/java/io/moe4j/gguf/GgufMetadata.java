package io.moe4j.gguf;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SequencedMap;

/** The key/value metadata of a GGUF file, in file order, with typed getters that fail with a clear message. */
public final class GgufMetadata {
    private final SequencedMap<String, GgufValue> values;

    public GgufMetadata(Map<String, GgufValue> values) {
        this.values = Collections.unmodifiableSequencedMap(new LinkedHashMap<>(values));
    }

    public SequencedMap<String, GgufValue> asMap() {
        return values;
    }

    public boolean contains(String key) {
        return values.containsKey(key);
    }

    public Optional<GgufValue> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    private GgufValue require(String key) {
        GgufValue v = values.get(key);
        if (v == null) {
            throw new GgufException("missing metadata key '" + key + "'");
        }
        return v;
    }

    public String getString(String key) {
        GgufValue v = require(key);
        if (v.type() != GgufValueType.STRING) {
            throw new GgufException("metadata key '" + key + "' is " + v.type() + ", expected STRING");
        }
        return (String) v.value();
    }

    public Optional<String> findString(String key) {
        return values.containsKey(key) ? Optional.of(getString(key)) : Optional.empty();
    }

    public long getLong(String key) {
        GgufValue v = require(key);
        if (!v.type().isInteger()) {
            throw new GgufException("metadata key '" + key + "' is " + v.type() + ", expected an integer");
        }
        return (Long) v.value();
    }

    /** An integer value that must fit a non-negative int (sizes and counts). */
    public int getInt(String key) {
        long v = getLong(key);
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw new GgufException("metadata key '" + key + "' = " + v + " is out of range");
        }
        return (int) v;
    }

    public int getInt(String key, int defaultValue) {
        return values.containsKey(key) ? getInt(key) : defaultValue;
    }

    public float getFloat(String key) {
        GgufValue v = require(key);
        return switch (v.type()) {
            case FLOAT32 -> (Float) v.value();
            case FLOAT64 -> (float) (double) (Double) v.value();
            default -> {
                if (v.type().isInteger()) {
                    yield (float) (long) (Long) v.value();
                }
                throw new GgufException("metadata key '" + key + "' is " + v.type() + ", expected a number");
            }
        };
    }

    public float getFloat(String key, float defaultValue) {
        return values.containsKey(key) ? getFloat(key) : defaultValue;
    }

    public boolean getBoolean(String key, boolean defaultValue) {
        GgufValue v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        if (v.type() != GgufValueType.BOOL) {
            throw new GgufException("metadata key '" + key + "' is " + v.type() + ", expected BOOL");
        }
        return (Boolean) v.value();
    }

    public GgufValue.GgufArray getArray(String key) {
        GgufValue v = require(key);
        if (v.type() != GgufValueType.ARRAY) {
            throw new GgufException("metadata key '" + key + "' is " + v.type() + ", expected ARRAY");
        }
        return (GgufValue.GgufArray) v.value();
    }

    public Optional<GgufValue.GgufArray> findArray(String key) {
        return values.containsKey(key) ? Optional.of(getArray(key)) : Optional.empty();
    }

    public String[] getStringArray(String key) {
        GgufValue.GgufArray a = getArray(key);
        if (a.elementType() != GgufValueType.STRING) {
            throw new GgufException("metadata key '" + key + "' is an array of " + a.elementType() + ", expected STRING");
        }
        return ((String[]) a.values()).clone();
    }

    public float[] getFloatArray(String key) {
        GgufValue.GgufArray a = getArray(key);
        return switch (a.values()) {
            case float[] f -> f.clone();
            case long[] l -> {
                float[] f = new float[l.length];
                for (int i = 0; i < l.length; i++) {
                    f[i] = l[i];
                }
                yield f;
            }
            default -> throw new GgufException("metadata key '" + key + "' is an array of " + a.elementType() + ", expected numbers");
        };
    }

    public long[] getLongArray(String key) {
        GgufValue.GgufArray a = getArray(key);
        if (!(a.values() instanceof long[] l)) {
            throw new GgufException("metadata key '" + key + "' is an array of " + a.elementType() + ", expected integers");
        }
        return l.clone();
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
