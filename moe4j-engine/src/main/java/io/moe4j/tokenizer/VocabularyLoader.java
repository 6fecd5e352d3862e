package io.moe4j.tokenizer;

import io.moe4j.gguf.GgufException;
import io.moe4j.gguf.GgufMetadata;
import io.moe4j.gguf.GgufValue;
import io.moe4j.gguf.GgufValueType;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.IntStream;

/** Reads a {@link Vocabulary} from GGUF metadata, with llama.cpp's defaults and validation. */
final class VocabularyLoader {
    static final String TOKENS = "tokenizer.ggml.tokens";
    static final String SCORES = "tokenizer.ggml.scores";
    static final String TOKEN_TYPES = "tokenizer.ggml.token_type";
    static final String ADD_BOS = "tokenizer.ggml.add_bos_token";
    static final String ADD_EOS = "tokenizer.ggml.add_eos_token";
    static final String ADD_SPACE_PREFIX = "tokenizer.ggml.add_space_prefix";

    /** What a tokenizer model assumes when the metadata is silent. */
    record Defaults(int bos, int eos, int unknown, boolean addBos, boolean addSpacePrefix) {
    }

    private VocabularyLoader() {
    }

    static Vocabulary load(GgufMetadata md, Defaults defaults) {
        String[] texts = tokenTexts(md);
        int n = texts.length;
        float[] scores = scores(md, n);
        int[] attrs = attributes(md, n);
        Map<String, Integer> idsByText = indexByText(texts);

        SpecialTokenIds ids = specialIds(md, defaults, n);
        boolean addSpacePrefix = md.getBoolean(ADD_SPACE_PREFIX, defaults.addSpacePrefix());
        boolean addBos = md.getBoolean(ADD_BOS, defaults.addBos());
        boolean addEos = md.getBoolean(ADD_EOS, false);
        if (addBos && ids.bos == Vocabulary.NONE) {
            throw new GgufException(ADD_BOS + " is true, but tokenizer.ggml.bos_token_id is not set");
        }
        if (addEos && ids.eos == Vocabulary.NONE) {
            throw new GgufException(ADD_EOS + " is true, but tokenizer.ggml.eos_token_id is not set");
        }

        SpecialTokenHeuristics heuristics = new SpecialTokenHeuristics(texts, idsByText, attrs);
        heuristics.detectRoles(ids);
        BitSet endOfGeneration = heuristics.endOfGeneration(ids);
        heuristics.markAlwaysRendered();
        int[] special = specialTokensLongestFirst(texts, attrs);
        heuristics.applyModelSpecificStripping(md.findString("general.name").orElse(null), special);

        return new Vocabulary(texts, scores, attrs, idsByText, ids, endOfGeneration, special, addBos, addEos,
                addSpacePrefix);
    }

    private static String[] tokenTexts(GgufMetadata md) {
        GgufValue.GgufArray array = md.findArray(TOKENS).orElseThrow(() -> new GgufException(
                "the model has no tokenizer vocabulary: metadata key '" + TOKENS + "' is missing"));
        if (array.elementType() != GgufValueType.STRING) {
            throw new GgufException("metadata key '" + TOKENS + "' is an array of " + array.elementType() + ", expected STRING");
        }
        String[] texts = md.getStringArray(TOKENS);
        if (texts.length == 0) {
            throw new GgufException("metadata key '" + TOKENS + "' is empty");
        }
        for (int i = 0; i < texts.length; i++) {
            if (texts[i].isEmpty()) {
                texts[i] = "[EMPTY_" + i + "]"; // llama.cpp's stand-in, so every token has a unique text
            }
        }
        return texts;
    }

    private static float[] scores(GgufMetadata md, int n) {
        if (!md.contains(SCORES)) {
            return new float[n];
        }
        float[] scores = md.getFloatArray(SCORES);
        if (scores.length < n) {
            throw new GgufException("metadata key '" + SCORES + "' has " + scores.length + " entries for " + n + " tokens");
        }
        return scores;
    }

    private static int[] attributes(GgufMetadata md, int n) {
        int[] attrs = new int[n];
        if (!md.contains(TOKEN_TYPES)) {
            Arrays.fill(attrs, TokenAttr.NORMAL);
            return attrs;
        }
        long[] types = md.getLongArray(TOKEN_TYPES);
        if (types.length < n) {
            throw new GgufException("metadata key '" + TOKEN_TYPES + "' has " + types.length + " entries for " + n + " tokens");
        }
        for (int i = 0; i < n; i++) {
            attrs[i] = TokenAttr.fromGgufTokenType(types[i]);
        }
        return attrs;
    }

    private static Map<String, Integer> indexByText(String[] texts) {
        Map<String, Integer> ids = HashMap.newHashMap(texts.length);
        for (int i = 0; i < texts.length; i++) {
            Integer previous = ids.putIfAbsent(texts[i], i);
            // Token bytes that are not UTF-8 reach us as U+FFFD and may collide although the file's bytes
            // differ; llama.cpp, which compares bytes, only rejects true duplicates.
            if (previous != null && texts[i].indexOf(Utf8.REPLACEMENT) < 0) {
                throw new GgufException("duplicate token in vocabulary: '" + texts[i] + "' has ids " + previous + " and " + i);
            }
        }
        return ids;
    }

    private static SpecialTokenIds specialIds(GgufMetadata md, Defaults defaults, int n) {
        SpecialTokenIds ids = new SpecialTokenIds();
        ids.bos = specialId(md, "tokenizer.ggml.bos_token_id", defaults.bos(), n);
        ids.eos = specialId(md, "tokenizer.ggml.eos_token_id", defaults.eos(), n);
        ids.unknown = specialId(md, "tokenizer.ggml.unknown_token_id", defaults.unknown(), n);
        ids.eot = specialId(md, "tokenizer.ggml.eot_token_id", Vocabulary.NONE, n);
        ids.eom = specialId(md, "tokenizer.ggml.eom_token_id", Vocabulary.NONE, n);
        // the deprecated prefix/suffix/middle keys are read last by llama.cpp, so they win
        ids.fimPrefix = specialId(md, "tokenizer.ggml.prefix_token_id",
                specialId(md, "tokenizer.ggml.fim_pre_token_id", Vocabulary.NONE, n), n);
        ids.fimSuffix = specialId(md, "tokenizer.ggml.suffix_token_id",
                specialId(md, "tokenizer.ggml.fim_suf_token_id", Vocabulary.NONE, n), n);
        ids.fimMiddle = specialId(md, "tokenizer.ggml.middle_token_id",
                specialId(md, "tokenizer.ggml.fim_mid_token_id", Vocabulary.NONE, n), n);
        ids.fimPad = specialId(md, "tokenizer.ggml.fim_pad_token_id", Vocabulary.NONE, n);
        ids.fimRepo = specialId(md, "tokenizer.ggml.fim_rep_token_id", Vocabulary.NONE, n);
        ids.fimSeparator = specialId(md, "tokenizer.ggml.fim_sep_token_id", Vocabulary.NONE, n);
        return ids;
    }

    /**
     * A special token id: the metadata's if it is a valid id, else the default if that is a valid id,
     * else none (llama.cpp warns and does the same).
     */
    private static int specialId(GgufMetadata md, String key, int defaultId, int n) {
        int id = defaultId >= 0 && defaultId < n ? defaultId : Vocabulary.NONE;
        if (md.contains(key)) {
            long value = md.getLong(key);
            if (value >= 0 && value < n) {
                id = (int) value;
            }
        }
        return id;
    }

    private static int[] specialTokensLongestFirst(String[] texts, int[] attrs) {
        int splittable = TokenAttr.CONTROL | TokenAttr.USER_DEFINED | TokenAttr.UNKNOWN;
        return IntStream.range(0, texts.length)
                .filter(id -> (attrs[id] & splittable) != 0)
                .boxed()
                // llama.cpp sorts by length only (unstable); ties are broken by id to be deterministic
                .sorted(Comparator.comparingInt((Integer id) -> -utf8Length(texts[id])).thenComparingInt(id -> id))
                .mapToInt(Integer::intValue)
                .toArray();
    }

    private static int utf8Length(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }
}
