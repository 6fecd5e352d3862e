package io.moe4j.model.synth;

import io.moe4j.gguf.GgmlType;
import io.moe4j.gguf.GgufValue;
import io.moe4j.model.QkNorm;
import io.moe4j.tensor.BlockFormats;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.SequencedMap;
import java.util.stream.Collectors;

/**
 * What a random-weight model of a given shape and weight type consists of: the metadata and tensor list
 * llama.cpp expects for its architecture, in the order and with the keys of the synthetic fixtures in
 * {@code shared/models/synthetic}. Matrices get the chosen type; norms and the router
 * ({@code ffn_gate_inp}) stay F32, as llama.cpp's converter and quantizer keep them.
 */
public final class SyntheticModel {
    /** Standard deviation of random weights: small enough that activations stay finite through every layer. */
    public static final float WEIGHT_STD = 0.02f;

    private final ModelShape shape;
    private final GgmlType type;
    private final long seed;
    private final SequencedMap<String, GgufValue> metadata;
    private final List<SyntheticTensor> tensors;

    public SyntheticModel(ModelShape shape, GgmlType type, long seed) {
        this.shape = shape;
        this.type = requireWritable(type);
        this.seed = seed;
        this.metadata = Collections.unmodifiableSequencedMap(metadataOf(shape, type));
        this.tensors = List.copyOf(tensorsOf(shape, type));
        for (SyntheticTensor t : tensors) {
            if (t.rowLength() % t.type().blockSize() != 0) {
                throw new IllegalArgumentException("shape " + shape.name() + " cannot be stored as " + type + ": tensor " + t.name()
                        + " has rows of " + t.rowLength() + " values, not a multiple of the " + t.type().blockSize() + "-value block");
            }
        }
    }

    /** The types a synthetic model can use: those with a quantizer. */
    public static List<GgmlType> writableTypes() {
        return BlockFormats.supportedTypes().stream().sorted().toList();
    }

    /** The writable type named {@code name}, ignoring case ({@code q4_k}, {@code F16}), or an IllegalArgumentException listing them. */
    public static GgmlType parseType(String name) {
        for (GgmlType t : writableTypes()) {
            if (t.name().equalsIgnoreCase(name)) {
                return t;
            }
        }
        throw unknownType(name);
    }

    private static GgmlType requireWritable(GgmlType type) {
        if (!BlockFormats.isSupported(type)) {
            throw unknownType(type.name());
        }
        return type;
    }

    private static IllegalArgumentException unknownType(String name) {
        return new IllegalArgumentException("unknown weight type '" + name + "' (valid: "
                + writableTypes().stream().map(GgmlType::name).collect(Collectors.joining(", ")) + ")");
    }

    public ModelShape shape() {
        return shape;
    }

    public GgmlType type() {
        return type;
    }

    public long seed() {
        return seed;
    }

    public SequencedMap<String, GgufValue> metadata() {
        return metadata;
    }

    public List<SyntheticTensor> tensors() {
        return tensors;
    }

    /** Bytes of tensor data, without the header and the alignment padding. */
    public long dataBytes() {
        return tensors.stream().mapToLong(SyntheticTensor::byteSize).sum();
    }

    public long parameterCount() {
        return tensors.stream().mapToLong(SyntheticTensor::elementCount).sum();
    }

    private static SequencedMap<String, GgufValue> metadataOf(ModelShape s, GgmlType type) {
        String a = s.architecture().ggufName();
        SequencedMap<String, GgufValue> md = new LinkedHashMap<>();
        md.put("general.architecture", GgufValue.ofString(a));
        md.put("general.name", GgufValue.ofString("synthetic-" + s.name() + "-" + type.name().toLowerCase(Locale.ROOT)));
        md.put("general.alignment", GgufValue.ofUint32(32));
        md.put(a + ".context_length", GgufValue.ofUint32(s.contextLength()));
        md.put(a + ".embedding_length", GgufValue.ofUint32(s.hidden()));
        md.put(a + ".block_count", GgufValue.ofUint32(s.layers()));
        md.put(a + ".feed_forward_length", GgufValue.ofUint32(s.feedForwardLength()));
        md.put(a + ".expert_feed_forward_length", GgufValue.ofUint32(s.expertWidth()));
        md.put(a + ".attention.head_count", GgufValue.ofUint32(s.heads()));
        md.put(a + ".attention.head_count_kv", GgufValue.ofUint32(s.kvHeads()));
        md.put(a + ".attention.key_length", GgufValue.ofUint32(s.headSize()));
        md.put(a + ".attention.value_length", GgufValue.ofUint32(s.headSize()));
        md.put(a + ".rope.dimension_count", GgufValue.ofUint32(s.headSize()));
        md.put(a + ".rope.freq_base", GgufValue.ofFloat32(s.ropeFreqBase()));
        md.put(a + ".attention.layer_norm_rms_epsilon", GgufValue.ofFloat32(s.rmsEpsilon()));
        md.put(a + ".expert_count", GgufValue.ofUint32(s.experts()));
        md.put(a + ".expert_used_count", GgufValue.ofUint32(s.expertsUsed()));
        // No real vocabulary: llama.cpp accepts tokenizer model "none" and takes the size from vocab_size.
        md.put(a + ".vocab_size", GgufValue.ofUint32(s.vocabulary()));
        md.put("tokenizer.ggml.model", GgufValue.ofString("none"));
        return md;
    }

    private static List<SyntheticTensor> tensorsOf(ModelShape s, GgmlType type) {
        List<SyntheticTensor> list = new ArrayList<>();
        int d = s.hidden();
        list.add(matrix("token_embd.weight", type, d, s.vocabulary()));
        for (int i = 0; i < s.layers(); i++) {
            String b = "blk." + i + ".";
            list.add(norm(b + "attn_norm.weight", d));
            list.add(matrix(b + "attn_q.weight", type, d, s.queryLength()));
            list.add(matrix(b + "attn_k.weight", type, d, s.keyValueLength()));
            list.add(matrix(b + "attn_v.weight", type, d, s.keyValueLength()));
            list.add(matrix(b + "attn_output.weight", type, s.queryLength(), d));
            QkNorm qk = s.architecture().qkNorm();
            if (qk != QkNorm.NONE) {
                list.add(norm(b + "attn_q_norm.weight", qk == QkNorm.PER_HEAD ? s.headSize() : s.queryLength()));
                list.add(norm(b + "attn_k_norm.weight", qk == QkNorm.PER_HEAD ? s.headSize() : s.keyValueLength()));
            }
            list.add(norm(b + "ffn_norm.weight", d));
            list.add(matrix(b + "ffn_gate_inp.weight", GgmlType.F32, d, s.experts()));
            list.add(experts(b + "ffn_gate_exps.weight", type, d, s.expertWidth(), s.experts()));
            list.add(experts(b + "ffn_up_exps.weight", type, d, s.expertWidth(), s.experts()));
            list.add(experts(b + "ffn_down_exps.weight", type, s.expertWidth(), d, s.experts()));
        }
        list.add(norm("output_norm.weight", d));
        list.add(matrix("output.weight", type, d, s.vocabulary()));
        return list;
    }

    private static SyntheticTensor norm(String name, int length) {
        return new SyntheticTensor(name, new long[] {length}, GgmlType.F32, SyntheticTensor.Values.ONES);
    }

    private static SyntheticTensor matrix(String name, GgmlType type, int cols, int rows) {
        return new SyntheticTensor(name, new long[] {cols, rows}, type, SyntheticTensor.Values.RANDOM);
    }

    private static SyntheticTensor experts(String name, GgmlType type, int cols, int rows, int experts) {
        return new SyntheticTensor(name, new long[] {cols, rows, experts}, type, SyntheticTensor.Values.RANDOM);
    }
}
