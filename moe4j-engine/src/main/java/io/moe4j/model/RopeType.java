package io.moe4j.model;

/** How rotary position embedding pairs up the dimensions of a head. */
public enum RopeType {
    /** Adjacent pairs (x[2i], x[2i+1]): LLaMA and Mixtral. */
    NORM,
    /** Halves (x[i], x[i + d/2]): GPT-NeoX style, used by Qwen and OLMoE. */
    NEOX
}
