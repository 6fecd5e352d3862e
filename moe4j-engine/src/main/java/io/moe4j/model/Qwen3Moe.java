package io.moe4j.model;

/** Qwen3-MoE: NEOX RoPE, per-head q/k RMS norms, softmax routing with the top-k weights renormalised. */
public final class Qwen3Moe extends DecoderArchitecture {
    @Override
    public String name() {
        return "qwen3moe";
    }

    @Override
    public String description() {
        return "Qwen3-MoE";
    }

    @Override
    RopeType ropeType() {
        return RopeType.NEOX;
    }

    @Override
    QkNorm qkNorm() {
        return QkNorm.PER_HEAD;
    }

    @Override
    boolean normalizeExpertWeights() {
        return true;
    }
}
