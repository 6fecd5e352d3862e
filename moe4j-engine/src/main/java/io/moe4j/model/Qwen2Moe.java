package io.moe4j.model;

/**
 * Qwen2-MoE: NEOX RoPE, optional q/k/v biases, softmax routing without renormalisation, and a shared
 * expert every token uses, scaled by {@code sigmoid(ffn_gate_inp_shexp · x)}.
 */
public final class Qwen2Moe extends DecoderArchitecture {
    @Override
    public String name() {
        return "qwen2moe";
    }

    @Override
    public String description() {
        return "Qwen2-MoE (shared expert)";
    }

    @Override
    RopeType ropeType() {
        return RopeType.NEOX;
    }

    @Override
    QkNorm qkNorm() {
        return QkNorm.NONE;
    }

    @Override
    boolean normalizeExpertWeights() {
        return false;
    }

    @Override
    boolean hasSharedExpert() {
        return true;
    }
}
