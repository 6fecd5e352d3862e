package io.moe4j.model;

/**
 * Mixtral, stored as GGUF architecture {@code llama} with expert tensors: NORM RoPE, no q/k norms,
 * softmax over the top-k scores (the same as renormalising the chosen softmax probabilities).
 */
public final class Mixtral extends DecoderArchitecture {
    @Override
    public String name() {
        return "llama";
    }

    @Override
    public String description() {
        return "LLaMA with experts (Mixtral)";
    }

    @Override
    RopeType ropeType() {
        return RopeType.NORM;
    }

    @Override
    QkNorm qkNorm() {
        return QkNorm.NONE;
    }

    @Override
    boolean normalizeExpertWeights() {
        return true;
    }
}
