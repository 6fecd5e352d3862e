package io.moe4j.model;

import io.moe4j.gguf.GgufException;
import io.moe4j.gguf.GgufFile;
import io.moe4j.gguf.GgufMetadata;
import io.moe4j.route.Gating;
import io.moe4j.tensor.WeightMatrix;
import io.moe4j.tensor.Weights;

import java.util.ArrayList;
import java.util.List;

/**
 * The shared recipe of the pre-norm MoE decoders moe4j runs, with llama.cpp's tensor names
 * ({@code blk.N.attn_q.weight}, {@code blk.N.ffn_gate_exps.weight}, ...). Each architecture states what
 * differs: RoPE style, q/k norms, how expert weights are normalised, whether there is a shared expert.
 */
abstract class DecoderArchitecture implements Architecture {

    abstract RopeType ropeType();

    abstract QkNorm qkNorm();

    /** Whether the chosen experts' probabilities are renormalised to sum to one. */
    abstract boolean normalizeExpertWeights();

    boolean hasSharedExpert() {
        return false;
    }

    /** Expert width; OLMoE and LLaMA files give it as the plain feed-forward length. */
    int expertFfnLength(GgufMetadata md) {
        String key = name() + ".expert_feed_forward_length";
        return md.contains(key) ? md.getInt(key) : md.getInt(name() + ".feed_forward_length");
    }

    ModelConfig readConfig(GgufFile file) {
        GgufMetadata md = file.metadata();
        String p = name() + ".";
        int dim = positive(md, p + "embedding_length", md.getInt(p + "embedding_length"));
        int heads = positive(md, p + "attention.head_count", md.getInt(p + "attention.head_count"));
        int headsKv = positive(md, p + "attention.head_count_kv", md.getInt(p + "attention.head_count_kv", heads));
        if (heads % headsKv != 0) {
            throw new GgufException(p + "attention.head_count " + heads + " is not a multiple of head_count_kv " + headsKv);
        }
        int headSize = positive(md, p + "attention.key_length", md.getInt(p + "attention.key_length", dim / heads));
        int valueHeadSize = positive(md, p + "attention.value_length", md.getInt(p + "attention.value_length", headSize));
        int ropeDims = positive(md, p + "rope.dimension_count", md.getInt(p + "rope.dimension_count", headSize));
        if (ropeDims > headSize || ropeDims % 2 != 0) {
            throw new GgufException(p + "rope.dimension_count " + ropeDims + " must be even and at most the head size " + headSize);
        }
        int experts = positive(md, p + "expert_count", md.getInt(p + "expert_count", 0));
        int used = positive(md, p + "expert_used_count", md.getInt(p + "expert_used_count", 0));
        if (used > experts) {
            throw new GgufException(p + "expert_used_count " + used + " exceeds expert_count " + experts);
        }
        int vocab = (int) file.tensor("token_embd.weight").dim(1);
        float eps = md.getFloat(p + "attention.layer_norm_rms_epsilon", 1e-5f);
        if (!(eps > 0 && eps < 1)) {
            throw new GgufException(p + "attention.layer_norm_rms_epsilon " + eps + " is not in (0, 1)");
        }
        Gating gating = new Gating(Gating.Function.SOFTMAX, experts, used, normalizeExpertWeights());
        return new ModelConfig(
                name(),
                md.findString("general.name").orElse(file.path().getFileName().toString()),
                dim,
                positive(md, p + "block_count", md.getInt(p + "block_count")),
                heads,
                headsKv,
                headSize,
                valueHeadSize,
                positive(md, p + "context_length", md.getInt(p + "context_length", 4096)),
                vocab,
                eps,
                ropeType(),
                ropeDims,
                md.getFloat(p + "rope.freq_base", 10000f),
                qkNorm(),
                gating,
                positive(md, "expert feed-forward length", expertFfnLength(md)),
                hasSharedExpert() ? positive(md, p + "expert_shared_feed_forward_length", md.getInt(p + "expert_shared_feed_forward_length")) : 0);
    }

    private static int positive(GgufMetadata md, String key, int value) {
        if (value <= 0) {
            throw new GgufException("metadata " + key + " = " + value + " must be positive");
        }
        return value;
    }

    @Override
    public MoeModel load(GgufFile file, LoadOptions options) {
        ModelConfig c = readConfig(file);
        Weights w = new Weights(file, options.repack());
        WeightMatrix embeddings = w.matrix("token_embd.weight", c.vocabularySize(), c.embeddingLength());
        WeightMatrix output = w.has("output.weight") ? w.matrix("output.weight", c.vocabularySize(), c.embeddingLength()) : embeddings;
        List<TransformerBlock> blocks = new ArrayList<>();
        for (int i = 0; i < c.layerCount(); i++) {
            blocks.add(block(w, c, i));
        }
        return new MoeModel(c, file, embeddings, blocks, w.vector("output_norm.weight", c.embeddingLength()), output);
    }

    private TransformerBlock block(Weights w, ModelConfig c, int i) {
        String b = "blk." + i + ".";
        int dim = c.embeddingLength();
        int qNormSize = c.qkNorm() == QkNorm.PER_HEAD ? c.headSize() : c.queryLength();
        int kNormSize = c.qkNorm() == QkNorm.PER_HEAD ? c.headSize() : c.keyLength();
        Attention attention = new Attention(c,
                w.matrix(b + "attn_q.weight", c.queryLength(), dim),
                w.matrix(b + "attn_k.weight", c.keyLength(), dim),
                w.matrix(b + "attn_v.weight", c.valueLength(), dim),
                w.matrix(b + "attn_output.weight", dim, c.headCount() * c.valueHeadSize()),
                optionalVector(w, b + "attn_q.bias", c.queryLength()),
                optionalVector(w, b + "attn_k.bias", c.keyLength()),
                optionalVector(w, b + "attn_v.bias", c.valueLength()),
                c.qkNorm() == QkNorm.NONE ? null : w.vector(b + "attn_q_norm.weight", qNormSize),
                c.qkNorm() == QkNorm.NONE ? null : w.vector(b + "attn_k_norm.weight", kNormSize));
        int ffn = c.expertFfnLength();
        int n = c.expertCount();
        WeightMatrix[] gates = w.stack(b + "ffn_gate_exps.weight", n, ffn, dim);
        WeightMatrix[] ups = w.stack(b + "ffn_up_exps.weight", n, ffn, dim);
        WeightMatrix[] downs = w.stack(b + "ffn_down_exps.weight", n, dim, ffn);
        SwiGluFfn[] experts = new SwiGluFfn[n];
        for (int e = 0; e < n; e++) {
            experts[e] = new SwiGluFfn(gates[e], ups[e], downs[e]);
        }
        SwiGluFfn shared = null;
        float[] sharedGate = null;
        if (hasSharedExpert()) {
            int s = c.sharedExpertLength();
            shared = new SwiGluFfn(w.matrix(b + "ffn_gate_shexp.weight", s, dim), w.matrix(b + "ffn_up_shexp.weight", s, dim),
                    w.matrix(b + "ffn_down_shexp.weight", dim, s));
            sharedGate = w.vector(b + "ffn_gate_inp_shexp.weight", dim);
        }
        MoeLayer moe = new MoeLayer(i, c.gating(), w.matrix(b + "ffn_gate_inp.weight", n, dim), experts, shared, sharedGate);
        return new TransformerBlock(i, w.vector(b + "attn_norm.weight", dim), attention, w.vector(b + "ffn_norm.weight", dim), moe, c.rmsEps());
    }

    private static float[] optionalVector(Weights w, String name, int length) {
        return w.has(name) ? w.vector(name, length) : null;
    }
}
