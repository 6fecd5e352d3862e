package io.moe4j.tokenizer;

import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntConsumer;
import java.util.function.IntSupplier;

/**
 * llama.cpp's rules for special tokens that GGUF metadata does not spell out. They go by token text:
 * which token ends a turn, which tokens end generation, and attribute fixes for particular models.
 * Whatever a rule recognises as a control token gets the CONTROL attribute, which decides how the
 * token is split out of text and rendered.
 */
final class SpecialTokenHeuristics {
    private static final List<String> EOT_TEXTS = List.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>",
            "<|endoftext|>", "<|end_of_text|>", "<EOT>", "_<EOT>", "[EOT]", "<｜end▁of▁sentence｜>", "<end_of_utterance>");
    private static final List<String> EOM_TEXTS = List.of("<|eom_id|>");
    private static final List<String> FIM_PREFIX_TEXTS = List.of("<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>",
            "<｜fim▁begin｜>", "<PRE>", "▁<PRE>", "<|code_prefix|>", "<|prefix|>");
    private static final List<String> FIM_SUFFIX_TEXTS = List.of("<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>",
            "<｜fim▁hole｜>", "<SUF>", "▁<SUF>", "<|code_suffix|>", "<|suffix|>");
    private static final List<String> FIM_MIDDLE_TEXTS = List.of("<|fim_middle|>", "<fim-middle>", "<fim_middle>",
            "<｜fim▁end｜>", "<MID>", "▁<MID>", "<|code_middle|>", "<|middle|>");
    private static final List<String> FIM_PAD_TEXTS = List.of("<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]");
    private static final List<String> FIM_REPO_TEXTS = List.of("<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>",
            "<reponame>");
    private static final List<String> FIM_SEPARATOR_TEXTS = List.of("<|file_sep|>");

    /** Token texts that end generation wherever they appear in a vocabulary. */
    private static final List<String> END_OF_GENERATION_TEXTS = List.of("<|eot_id|>", "<|im_end|>", "<|end|>",
            "<|return|>", "<|call|>", "<|flush|>", "<|calls|>", "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>",
            "<EOT>", "_<EOT>", "[EOT]", "[EOS]", "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>",
            "<|tool_response>", "<｜end▁of▁sentence｜>", "[e~[");

    /** gpt-oss formatting tokens that llama.cpp always renders, whatever their type in the file. */
    private static final List<String> ALWAYS_RENDERED_TEXTS = List.of("<|channel|>", "<|message|>", "<|start|>",
            "<|constrain|>");

    private final String[] texts;
    private final Map<String, Integer> idsByText;
    private final int[] attrs;

    SpecialTokenHeuristics(String[] texts, Map<String, Integer> idsByText, int[] attrs) {
        this.texts = texts;
        this.idsByText = idsByText;
        this.attrs = attrs;
    }

    /** Fills in special ids the metadata left unset, marking the tokens found as CONTROL. */
    void detectRoles(SpecialTokenIds ids) {
        detect(() -> ids.eot, id -> ids.eot = id, EOT_TEXTS);
        detect(() -> ids.eom, id -> ids.eom = id, EOM_TEXTS);
        detect(() -> ids.fimPrefix, id -> ids.fimPrefix = id, FIM_PREFIX_TEXTS);
        detect(() -> ids.fimSuffix, id -> ids.fimSuffix = id, FIM_SUFFIX_TEXTS);
        detect(() -> ids.fimMiddle, id -> ids.fimMiddle = id, FIM_MIDDLE_TEXTS);
        detect(() -> ids.fimPad, id -> ids.fimPad = id, FIM_PAD_TEXTS);
        detect(() -> ids.fimRepo, id -> ids.fimRepo = id, FIM_REPO_TEXTS);
        detect(() -> ids.fimSeparator, id -> ids.fimSeparator = id, FIM_SEPARATOR_TEXTS);
    }

    /**
     * The tokens that end generation: FIM padding/repo/separator tokens, every token with a known
     * end-of-turn text (made CONTROL), and the eos, eot and eom tokens. Two model families use some of
     * those texts for other purposes, and llama.cpp takes them back out.
     */
    BitSet endOfGeneration(SpecialTokenIds ids) {
        BitSet eog = new BitSet(texts.length);
        setIfPresent(eog, ids.fimPad);
        setIfPresent(eog, ids.fimRepo);
        setIfPresent(eog, ids.fimSeparator);
        for (String text : END_OF_GENERATION_TEXTS) {
            Integer id = idsByText.get(text);
            if (id != null) {
                eog.set(id);
                attrs[id] |= TokenAttr.CONTROL;
            }
        }
        setIfPresent(eog, ids.eos);
        setIfPresent(eog, ids.eot);
        setIfPresent(eog, ids.eom);

        // gpt-oss and solar-open end a message, not the generation, with <|end|>
        boolean hasReturn = inSet(eog, "<|return|>");
        boolean hasCall = inSet(eog, "<|call|>") || inSet(eog, "<|calls|>");
        boolean hasFlush = inSet(eog, "<|flush|>");
        if (inSet(eog, "<|end|>") && ((hasReturn && hasCall) || (hasCall && hasFlush))) {
            int end = idsByText.get("<|end|>");
            eog.clear(end);
            attrs[end] = TokenAttr.USER_DEFINED;
        }
        // gemma4 uses </s> as ordinary text
        if (inSet(eog, "<|tool_response>") && inSet(eog, "</s>")) {
            int s = idsByText.get("</s>");
            eog.clear(s);
            attrs[s] = TokenAttr.NORMAL;
        }
        return eog;
    }

    /** Makes gpt-oss's formatting tokens user-defined, so they are split out of text and always rendered. */
    void markAlwaysRendered() {
        for (String text : ALWAYS_RENDERED_TEXTS) {
            Integer id = idsByText.get(text);
            if (id != null) {
                attrs[id] = TokenAttr.USER_DEFINED;
            }
        }
    }

    /** Whitespace stripping around special tokens that llama.cpp enables by model name. */
    void applyModelSpecificStripping(String modelName, int[] specialTokens) {
        String name = modelName == null ? "" : modelName.toLowerCase(Locale.ROOT);
        if (name.contains("phi-3") || name.contains("phi3")) {
            // Phi-3's special tokens swallow the whitespace after them, except these three
            for (int id : specialTokens) {
                attrs[id] |= TokenAttr.RSTRIP;
            }
            setAttr("</s>", TokenAttr.RSTRIP, true);
            for (String text : List.of("<unk>", "<s>", "<|endoftext|>")) {
                setAttr(text, TokenAttr.RSTRIP, false);
            }
        }
    }

    private void detect(IntSupplier current, IntConsumer assign, List<String> candidates) {
        if (current.getAsInt() != SpecialTokenIds.NONE) {
            return;
        }
        // llama.cpp takes the first match in hash-map order; we take the lowest id, which is deterministic
        int found = SpecialTokenIds.NONE;
        for (String text : candidates) {
            Integer id = idsByText.get(text);
            if (id != null && (found == SpecialTokenIds.NONE || id < found)) {
                found = id;
            }
        }
        if (found != SpecialTokenIds.NONE) {
            assign.accept(found);
            attrs[found] |= TokenAttr.CONTROL;
        }
    }

    private boolean inSet(BitSet eog, String text) {
        Integer id = idsByText.get(text);
        return id != null && eog.get(id);
    }

    private void setAttr(String text, int attr, boolean value) {
        Integer id = idsByText.get(text);
        if (id != null) {
            attrs[id] = value ? attrs[id] | attr : attrs[id] & ~attr;
        }
    }

    private static void setIfPresent(BitSet set, int id) {
        if (id != SpecialTokenIds.NONE) {
            set.set(id);
        }
    }
}
