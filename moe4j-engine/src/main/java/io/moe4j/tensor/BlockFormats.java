package io.moe4j.tensor;

import io.moe4j.gguf.GgmlType;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/** The registry of weight types the engine can compute with, and of the quantizers that write them. */
public final class BlockFormats {
    private static final Map<GgmlType, BlockFormat> FORMATS = new EnumMap<>(GgmlType.class);
    private static final Map<GgmlType, BlockQuantizer> QUANTIZERS = new EnumMap<>(GgmlType.class);

    static {
        register(new F32Format());
        register(new F16Format());
        register(new BF16Format());
        register(new Q8_0Format());
        register(new Q4_0Format());
        register(new Q4_1Format());
        register(new Q5_0Format());
        register(new Q5_1Format());
        register(ScaleMinKFormat.q4K());
        register(ScaleMinKFormat.q5K());
        register(new Q6_KFormat());
    }

    private BlockFormats() {
    }

    private static <F extends BlockFormat & BlockQuantizer> void register(F f) {
        FORMATS.put(f.type(), f);
        QUANTIZERS.put(f.type(), f);
    }

    public static boolean isSupported(GgmlType type) {
        return FORMATS.containsKey(type);
    }

    /** The types {@link #of} accepts. */
    public static Set<GgmlType> supportedTypes() {
        return Collections.unmodifiableSet(FORMATS.keySet());
    }

    /** The format for {@code type}, or an {@link UnsupportedTensorTypeException} naming it. */
    public static BlockFormat of(GgmlType type) {
        BlockFormat f = FORMATS.get(type);
        if (f == null) {
            throw new UnsupportedTensorTypeException(type);
        }
        return f;
    }

    /** The reference quantizer for {@code type}, or an {@link UnsupportedTensorTypeException} naming it. */
    public static BlockQuantizer quantizer(GgmlType type) {
        BlockQuantizer q = QUANTIZERS.get(type);
        if (q == null) {
            throw new UnsupportedTensorTypeException(type);
        }
        return q;
    }
}
