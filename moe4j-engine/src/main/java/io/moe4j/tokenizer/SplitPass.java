package io.moe4j.tokenizer;

/**
 * One stage of a pre-tokenizer. llama.cpp applies a list of regexes in turn: each one splits every
 * piece the previous stages produced, and the text a regex does not match stays a piece of its own.
 */
interface SplitPass {
    /**
     * Splits each piece further.
     *
     * @param text   the whole text being pre-tokenized
     * @param pieces lengths in code points of the consecutive pieces covering the text
     * @return lengths of the refined pieces, in order, covering the same text
     */
    IntList split(PreTokenizerText text, IntList pieces);
}
