package io.moe4j.model;

/** Whether and how queries and keys are RMS-normalised before RoPE. */
public enum QkNorm {
    NONE,
    /** Each head's vector separately, with one weight vector of head size (Qwen3). */
    PER_HEAD,
    /** The whole projection at once, with a weight vector of heads × head size (OLMoE). */
    WHOLE
}
