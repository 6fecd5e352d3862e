package io.moe4j.model;

import io.moe4j.route.Gating;

/**
 * Every hyperparameter the forward pass needs, read from the GGUF metadata by the architecture.
 *
 * @param expertFfnLength     width of each routed expert
 * @param sharedExpertLength  width of the always-on shared expert, 0 if there is none
 */
public record ModelConfig(
        String architecture,
        String name,
        int embeddingLength,
        int layerCount,
        int headCount,
        int headCountKv,
        int headSize,
        int valueHeadSize,
        int contextLength,
        int vocabularySize,
        float rmsEps,
        RopeType ropeType,
        int ropeDimensions,
        float ropeFreqBase,
        QkNorm qkNorm,
        Gating gating,
        int expertFfnLength,
        int sharedExpertLength) {

    public int queryLength() {
        return headCount * headSize;
    }

    public int keyLength() {
        return headCountKv * headSize;
    }

    public int valueLength() {
        return headCountKv * valueHeadSize;
    }

    public int expertCount() {
        return gating.expertCount();
    }

    public int expertsPerToken() {
        return gating.expertsPerToken();
    }
}
