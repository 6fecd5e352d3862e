package io.moe4j.tokenizer;

/**
 * The ids of a vocabulary's special tokens, {@link #NONE} where it has none. Mutable while the
 * vocabulary is being loaded: defaults first, then metadata, then llama.cpp's detection by text.
 */
final class SpecialTokenIds {
    static final int NONE = -1;

    int bos = NONE;
    int eos = NONE;
    int eot = NONE;
    int eom = NONE;
    int unknown = NONE;
    int fimPrefix = NONE;
    int fimSuffix = NONE;
    int fimMiddle = NONE;
    int fimPad = NONE;
    int fimRepo = NONE;
    int fimSeparator = NONE;
}
