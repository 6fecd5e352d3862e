package io.moe4j.tokenizer;

import io.moe4j.gguf.GgufException;
import io.moe4j.gguf.GgufMetadata;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Turns text into token ids and back, the way llama.cpp does for the same GGUF file.
 *
 * <p>Instances are immutable and safe to use from several threads.
 */
public interface Tokenizer {
    String MODEL_KEY = "tokenizer.ggml.model";

    /**
     * The tokenizer described by a model's metadata: byte-level BPE for {@code tokenizer.ggml.model =
     * gpt2}, SentencePiece for {@code llama}.
     *
     * @throws GgufException if the model has no tokenizer, or one this engine does not implement, or its
     *                       tokenizer metadata is missing or inconsistent
     */
    static Tokenizer fromGguf(GgufMetadata metadata) {
        String model = metadata.findString(MODEL_KEY).orElseThrow(() -> new GgufException(
                "the model has no tokenizer: metadata key '" + MODEL_KEY + "' is missing"));
        return switch (model) {
            case "gpt2" -> ByteLevelBpeTokenizer.fromGguf(metadata);
            case "llama" -> SentencePieceTokenizer.fromGguf(metadata);
            case "none", "no_vocab" -> throw new GgufException(
                    MODEL_KEY + " is '" + model + "': the model has no vocabulary, so it cannot encode or decode text");
            default -> {
                if (Set.of("bert", "t5", "rwkv", "plamo2", "gemma4", "hybriddna", "whitespace").contains(model)) {
                    throw new GgufException("tokenizer model '" + MODEL_KEY + "' = '" + model + "' is not supported by moe4j");
                }
                throw new GgufException("unknown tokenizer model '" + MODEL_KEY + "' = '" + model + "'");
            }
        };
    }

    /**
     * Token ids for {@code text}.
     *
     * @param addSpecial   add the BOS/EOS tokens the model's flags ask for
     * @param parseSpecial turn the texts of control tokens (such as {@code <|endoftext|>}) into those
     *                     tokens; when false they are encoded as ordinary text
     */
    int[] encode(String text, boolean addSpecial, boolean parseSpecial);

    /**
     * The text of a token sequence: the tokens' pieces concatenated, special tokens rendered as their
     * text. Bytes that do not form valid UTF-8 become U+FFFD.
     */
    String decode(int[] ids);

    /** The bytes a token stands for; may be part of a UTF-8 sequence. */
    byte[] tokenBytes(int id);

    /** The token's text as written in the vocabulary (e.g. {@code "Ġthe"} or {@code "▁the"}). */
    String tokenText(int id);

    int vocabularySize();

    OptionalInt bos();

    OptionalInt eos();

    /** Whether generation stops at this token: eos, eot, eom and end-of-turn tokens such as {@code <|im_end|>}. */
    boolean isEndOfGeneration(int id);

    /** A decoder for generated tokens that are produced one at a time. */
    default StreamingDecoder newStreamingDecoder() {
        return new StreamingDecoder(this);
    }
}
