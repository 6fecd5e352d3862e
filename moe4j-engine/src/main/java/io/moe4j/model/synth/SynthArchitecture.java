package io.moe4j.model.synth;

import io.moe4j.model.QkNorm;

/** The GGUF architectures {@code synth} can write, with the conventions llama.cpp loads each of them by. */
public enum SynthArchitecture {
    /** OLMoE: q/k norm over the whole projection; llama.cpp reads the expert width from feed_forward_length. */
    OLMOE("olmoe", QkNorm.WHOLE, true),
    /** Qwen3-MoE: per-head q/k norm; the expert width has its own key, feed_forward_length is the dense width. */
    QWEN3MOE("qwen3moe", QkNorm.PER_HEAD, false),
    /** Mixtral, stored as {@code llama} with experts: no q/k norm, expert width in feed_forward_length. */
    LLAMA("llama", QkNorm.NONE, true);

    private final String ggufName;
    private final QkNorm qkNorm;
    private final boolean expertWidthIsFeedForwardLength;

    SynthArchitecture(String ggufName, QkNorm qkNorm, boolean expertWidthIsFeedForwardLength) {
        this.ggufName = ggufName;
        this.qkNorm = qkNorm;
        this.expertWidthIsFeedForwardLength = expertWidthIsFeedForwardLength;
    }

    /** The value of {@code general.architecture} and the prefix of the architecture's metadata keys. */
    public String ggufName() {
        return ggufName;
    }

    public QkNorm qkNorm() {
        return qkNorm;
    }

    /** Whether llama.cpp takes the expert width from {@code <arch>.feed_forward_length} for this architecture. */
    public boolean expertWidthIsFeedForwardLength() {
        return expertWidthIsFeedForwardLength;
    }
}
