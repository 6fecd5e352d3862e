package io.moe4j.model;

/** OLMoE: NEOX RoPE, q/k RMS norms over the whole projection, softmax routing without renormalisation. */
public final class Olmoe extends DecoderArchitecture {
    @Override
    public String name() {
        return "olmoe";
    }

    @Override
    public String description() {
        return "OLMoE";
    }

    @Override
    RopeType ropeType() {
        return RopeType.NEOX;
    }

    @Override
    QkNorm qkNorm() {
        return QkNorm.WHOLE;
    }

    @Override
    boolean normalizeExpertWeights() {
        return false;
    }
}
