package io.moe4j.tensor;

import io.moe4j.gguf.GgmlType;
import io.moe4j.gguf.GgufException;

/** A tensor of a ggml type the engine cannot compute with. */
public final class UnsupportedTensorTypeException extends GgufException {
    public UnsupportedTensorTypeException(GgmlType type) {
        super("unsupported tensor type " + type + " (supported: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K)");
    }
}
