package io.moe4j.tokenizer;

import io.moe4j.gguf.GgufMetadata;
import io.moe4j.gguf.GgufValue;
import io.moe4j.gguf.GgufValueType;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds small tokenizer metadata by hand, for tests that need a vocabulary with specific properties. */
final class TestMetadata {
    private final Map<String, GgufValue> values = new LinkedHashMap<>();

    static TestMetadata model(String model) {
        return new TestMetadata().string(Tokenizer.MODEL_KEY, model);
    }

    TestMetadata string(String key, String value) {
        values.put(key, GgufValue.ofString(value));
        return this;
    }

    TestMetadata strings(String key, String... value) {
        values.put(key, GgufValue.ofArray(GgufValue.GgufArray.ofStrings(value)));
        return this;
    }

    TestMetadata tokens(String... texts) {
        return strings("tokenizer.ggml.tokens", texts);
    }

    TestMetadata merges(String... merges) {
        return strings("tokenizer.ggml.merges", merges);
    }

    TestMetadata scores(float... scores) {
        values.put("tokenizer.ggml.scores", GgufValue.ofArray(GgufValue.GgufArray.ofFloats(scores)));
        return this;
    }

    TestMetadata tokenTypes(long... types) {
        values.put("tokenizer.ggml.token_type", GgufValue.ofArray(GgufValue.GgufArray.ofInts(GgufValueType.INT32, types)));
        return this;
    }

    TestMetadata id(String key, long id) {
        values.put(key, GgufValue.ofUint32(id));
        return this;
    }

    TestMetadata flag(String key, boolean value) {
        values.put(key, GgufValue.ofBool(value));
        return this;
    }

    GgufMetadata build() {
        return new GgufMetadata(values);
    }

    Tokenizer tokenizer() {
        return Tokenizer.fromGguf(build());
    }
}
