package io.moe4j.tokenizer;

import io.moe4j.gguf.GgufException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The pre-tokenizers of byte-level BPE models, chosen by {@code tokenizer.ggml.pre}, with the regexes
 * and flags llama.cpp uses for each name.
 */
enum PreTokenizerType {
    /** llama.cpp's fallback when a BPE model names no pre-tokenizer (or says "default"). */
    DEFAULT(List.of("default"), false, false,
            "[\\p{P}\\$\\+<=>\\^~\\|]+", Gpt2Split.REGEX, "\\p{N}+", "[0-9][0-9][0-9]"),
    GPT2(List.of("gpt-2", "phi-2", "mpt", "olmo", "jais", "trillion", "exaone4", "mellum", "gigachat", "a.x-4.0",
            "granite-docling"), false, false,
            Gpt2Split.REGEX),
    LLAMA3(List.of("llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2",
            "jina-v5-nano"), true, true,
            Llama3Split.REGEX),
    /** Same regex as Llama 3, without its merge shortcut and BOS default. */
    DBRX(List.of("dbrx", "smaug-bpe"), false, false,
            Llama3Split.REGEX),
    QWEN2(List.of("qwen2", "deepseek-r1-qwen", "megrez", "stablelm2", "kormo", "f2llmv2"), false, false,
            "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
    /**
     * The letter class lists the cased letters by range. It is written with code point escapes because
     * some of its letters (U+2126 OHM SIGN, U+212A KELVIN SIGN, U+1FBE, ...) have canonical equivalents
     * that Unicode-normalizing tools would silently substitute, changing the class.
     */
    DEEPSEEK_LLM(List.of("deepseek-llm"), false, false,
            "[\r\n]",
            "\\s?[A-Za-z\\x{B5}\\x{C0}-\\x{D6}\\x{D8}-\\x{F6}\\x{F8}-\\x{1BA}\\x{1BC}-\\x{1BF}"
            + "\\x{1C4}-\\x{293}\\x{295}-\\x{2AF}\\x{370}-\\x{373}\\x{376}\\x{377}\\x{37B}-\\x{37D}"
            + "\\x{37F}\\x{386}\\x{388}-\\x{38A}\\x{38C}\\x{38E}-\\x{3A1}\\x{3A3}-\\x{3F5}"
            + "\\x{3F7}-\\x{481}\\x{48A}-\\x{52F}\\x{531}-\\x{556}\\x{10A0}-\\x{10C5}\\x{13A0}-\\x{13F5}"
            + "\\x{13F8}-\\x{13FD}\\x{1C90}-\\x{1CBA}\\x{1CBD}-\\x{1CBF}\\x{1D00}-\\x{1D2B}"
            + "\\x{1D6B}-\\x{1D77}\\x{1D79}-\\x{1D9A}\\x{1E00}-\\x{1F15}\\x{1F18}-\\x{1F1D}"
            + "\\x{1F20}-\\x{1F45}\\x{1F48}-\\x{1F4D}\\x{1F50}-\\x{1F57}\\x{1F59}\\x{1F5B}\\x{1F5D}"
            + "\\x{1F5F}-\\x{1F7D}\\x{1F80}-\\x{1FB4}\\x{1FB6}-\\x{1FBC}\\x{1FBE}\\x{1FC2}-\\x{1FC4}"
            + "\\x{1FC6}-\\x{1FCC}\\x{1FD0}-\\x{1FD3}\\x{1FD6}-\\x{1FDB}\\x{1FE0}-\\x{1FEC}"
            + "\\x{1FF2}-\\x{1FF4}\\x{1FF6}-\\x{1FFC}\\x{2102}\\x{2107}\\x{210A}-\\x{2113}\\x{2115}"
            + "\\x{2119}-\\x{211D}\\x{2124}\\x{2126}\\x{2128}\\x{212A}-\\x{212D}\\x{212F}-\\x{2134}"
            + "\\x{2139}\\x{213C}-\\x{213F}\\x{2145}-\\x{2149}\\x{214E}\\x{2183}\\x{2184}"
            + "\\x{2C00}-\\x{2C7B}\\x{2C7E}-\\x{2CE4}\\x{2CEB}-\\x{2CEE}\\x{2CF2}\\x{2CF3}"
            + "\\x{A640}-\\x{A66D}\\x{A680}-\\x{A69B}\\x{A722}-\\x{A76F}\\x{A771}-\\x{A787}"
            + "\\x{A78B}-\\x{A78E}\\x{AB70}-\\x{ABBF}\\x{FB00}-\\x{FB06}\\x{FB13}-\\x{FB17}"
            + "\\x{FF21}-\\x{FF3A}\\x{FF41}-\\x{FF5A}\\x{10400}-\\x{1044F}\\x{104B0}-\\x{104D3}"
            + "\\x{104D8}-\\x{104FB}\\x{10C80}-\\x{10CB2}\\x{10CC0}-\\x{10CF2}\\x{118A0}-\\x{118DF}"
            + "\\x{1E900}-\\x{1E943}]+",
            "\\s?[!-/:-~\\x{FF01}-\\x{FF0F}\\x{FF1A}-\\x{FF5E}\\x{2018}-\\x{201F}\\x{3000}-\\x{3002}]+",
            "\\s+$",
            "[\\x{4E00}-\\x{9FA5}\\x{0800}-\\x{4E00}\\x{AC00}-\\x{D7FF}]+",
            "\\p{N}+"),
    DEEPSEEK_CODER(List.of("deepseek-coder"), false, false,
            "[\r\n]",
            "\\s?\\p{L}+",
            "\\s?\\p{P}+",
            "[\\x{4E00}-\\x{9FA5}\\x{0800}-\\x{4E00}\\x{AC00}-\\x{D7FF}]+",
            "\\p{N}"),
    STARCODER(List.of("starcoder", "refact", "command-r", "smollm", "codeshell", "exaone", "minerva-7b",
            "mellum2"), false, false,
            "\\p{N}", Gpt2Split.REGEX),
    FALCON(List.of("falcon"), false, false,
            "[\\p{P}\\$\\+<=>\\^~\\|`]+", Gpt2Split.REGEX, "[0-9][0-9][0-9]");

    /** Names llama.cpp accepts but whose pre-tokenizers this engine does not implement. */
    private static final Set<String> KNOWN_BUT_UNSUPPORTED = Set.of(
            "deepseek-v3", "spark2_5", "youtu", "jina-es", "jina-de", "jina-v2-es", "jina-v2-de", "modern-bert",
            "jais-2", "gemma4", "granite-embed-multi-311m", "sarvam-moe", "jina-v1-en", "jina-v2-code", "roberta-bpe",
            "whitespace", "qwen35", "poro-chat", "glm4", "chatglm-bpe", "viking", "tekken", "bloom",
            "gpt3-finnish", "exaone-moe", "chameleon", "gpt-4o", "llama4", "kanana2", "talkie", "granite-embed-multi-97m",
            "tiny_aya", "cohere2moe", "superbpe", "bailingmoe", "bailingmoe2", "llada-moe", "seed-coder", "hunyuan",
            "hunyuan-dense", "hy_v4", "joyai-llm", "kimi-k2", "ufakzeka", "grok-2", "afmoe", "laguna", "minimax-m2",
            "solar-open", "minicpm5");

    private static final Map<String, PreTokenizerType> BY_NAME = byName();

    private final List<String> names;
    private final boolean ignoreMerges;
    private final boolean addBosByDefault;
    private final List<String> regexes;

    PreTokenizerType(List<String> names, boolean ignoreMerges, boolean addBosByDefault, String... regexes) {
        this.names = names;
        this.ignoreMerges = ignoreMerges;
        this.addBosByDefault = addBosByDefault;
        this.regexes = List.of(regexes);
    }

    /**
     * The pre-tokenizer a {@code tokenizer.ggml.pre} value names; an absent value means DEFAULT, as in
     * llama.cpp (which warns that generation quality will suffer).
     */
    static PreTokenizerType forName(String name) {
        if (name == null || name.isEmpty()) {
            return DEFAULT;
        }
        PreTokenizerType type = BY_NAME.get(name);
        if (type != null) {
            return type;
        }
        if (KNOWN_BUT_UNSUPPORTED.contains(name)) {
            throw new GgufException("pre-tokenizer 'tokenizer.ggml.pre' = '" + name + "' is not supported by moe4j");
        }
        throw new GgufException("unknown pre-tokenizer type 'tokenizer.ggml.pre' = '" + name + "'");
    }

    /**
     * Whether a word that is itself a vocabulary token is emitted whole, without running the merges.
     * Llama 3's vocabulary has tokens that its merges cannot reach.
     */
    boolean ignoreMerges() {
        return ignoreMerges;
    }

    /** The value of {@code add_bos_token} when the file does not set it. */
    boolean addBosByDefault() {
        return addBosByDefault;
    }

    PreTokenizer newPreTokenizer() {
        List<SplitPass> passes = new ArrayList<>();
        for (String regex : regexes) {
            passes.add(passFor(regex));
        }
        return new PreTokenizer(passes);
    }

    /** llama.cpp swaps two regexes for hand-written scanners; every other regex runs as a regex. */
    private static SplitPass passFor(String regex) {
        if (regex.equals(Gpt2Split.REGEX)) {
            return new Gpt2Split();
        }
        if (regex.equals(Llama3Split.REGEX) || regex.equals(Llama3Split.REGEX_CASE_INSENSITIVE)) {
            return new Llama3Split();
        }
        return new RegexSplit(regex);
    }

    private static Map<String, PreTokenizerType> byName() {
        Map<String, PreTokenizerType> map = new java.util.HashMap<>();
        for (PreTokenizerType type : values()) {
            for (String name : type.names) {
                map.put(name, type);
            }
        }
        return Map.copyOf(map);
    }
}
