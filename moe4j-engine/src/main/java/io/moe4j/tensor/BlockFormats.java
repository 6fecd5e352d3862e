package io.moe4j.tensor;

import io.moe4j.gguf.GgmlType;

import java.util.EnumMap;
import java.util.Map;

/** The registry of weight types the engine can compute with. */
public final class BlockFormats {
    private static final Map<GgmlType, BlockFormat> FORMATS = new EnumMap<>(GgmlType.class);

    static {
        register(new F32Format());
        register(new F16Format());
    }

    private BlockFormats() {
    }

    private static void register(BlockFormat f) {
        FORMATS.put(f.type(), f);
    }

    public static boolean isSupported(GgmlType type) {
        return FORMATS.containsKey(type);
    }

    /** The format for {@code type}, or an {@link UnsupportedTensorTypeException} naming it. */
    public static BlockFormat of(GgmlType type) {
        BlockFormat f = FORMATS.get(type);
        if (f == null) {
            throw new UnsupportedTensorTypeException(type);
        }
        return f;
    }
}
