package io.moe4j.tokenizer;

import io.moe4j.gguf.GgufException;
import io.moe4j.gguf.GgufMetadata;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * GPT-2 style byte-level BPE ({@code tokenizer.ggml.model = gpt2}): text is split into words by the
 * model's pre-tokenizer, each word's UTF-8 bytes are spelled in {@link ByteUnicode} characters, and
 * the merge list is applied to each word separately.
 */
final class ByteLevelBpeTokenizer extends VocabularyTokenizer {
    static final String MERGES_KEY = "tokenizer.ggml.merges";
    static final String PRE_KEY = "tokenizer.ggml.pre";
    private static final int CACHE_LIMIT = 1 << 17;

    private final PreTokenizerType preTokenizerType;
    private final PreTokenizer preTokenizer;
    private final BpeMerges merges;
    /** Words recur constantly in real text; caching their ids makes long inputs cheap. */
    private final Map<String, int[]> wordCache = new ConcurrentHashMap<>();

    private ByteLevelBpeTokenizer(Vocabulary vocabulary, PreTokenizerType preTokenizerType, BpeMerges merges) {
        super(vocabulary, ByteLevelBpeTokenizer::byteLevelDecode);
        this.preTokenizerType = preTokenizerType;
        this.preTokenizer = preTokenizerType.newPreTokenizer();
        this.merges = merges;
    }

    static ByteLevelBpeTokenizer fromGguf(GgufMetadata md) {
        if (!md.contains(MERGES_KEY)) {
            throw new GgufException("cannot find tokenizer merges: metadata key '" + MERGES_KEY + "' is missing");
        }
        BpeMerges merges = new BpeMerges(md.getStringArray(MERGES_KEY));
        PreTokenizerType pre = PreTokenizerType.forName(md.findString(PRE_KEY).orElse(null));
        // bos = eos = 11 is llama.cpp's default for BPE vocabularies that name neither
        Vocabulary vocabulary = VocabularyLoader.load(md, new VocabularyLoader.Defaults(
                11, 11, Vocabulary.NONE, pre.addBosByDefault(), false));
        return new ByteLevelBpeTokenizer(vocabulary, pre, merges);
    }

    PreTokenizerType preTokenizerType() {
        return preTokenizerType;
    }

    @Override
    void encodeFragments(List<Fragment> fragments, IntList out) {
        for (Fragment fragment : fragments) {
            switch (fragment) {
                case Fragment.SpecialToken(int id) -> out.add(id);
                case Fragment.Text(String text) -> {
                    for (String word : preTokenizer.split(text)) {
                        out.addAll(idsOfWord(word));
                    }
                }
            }
        }
    }

    private int[] idsOfWord(String word) {
        int[] ids = wordCache.get(word);
        if (ids == null) {
            ids = encodeWord(ByteUnicode.encode(word.getBytes(StandardCharsets.UTF_8)));
            if (wordCache.size() >= CACHE_LIMIT) {
                wordCache.clear();
            }
            wordCache.put(word, ids);
        }
        return ids;
    }

    private int[] encodeWord(String byteLevelWord) {
        if (preTokenizerType.ignoreMerges()) {
            int whole = vocabulary.id(byteLevelWord);
            if (whole != Vocabulary.NONE) {
                return new int[] {whole};
            }
        }
        IntList ids = new IntList(byteLevelWord.length());
        int start = 0;
        for (int length : merges.mergedSymbolLengths(byteLevelWord)) {
            String symbol = byteLevelWord.substring(start, start + length);
            start += length;
            int id = vocabulary.id(symbol);
            if (id != Vocabulary.NONE) {
                ids.add(id);
                continue;
            }
            // llama.cpp falls back to looking up each UTF-8 byte of the symbol as a one-byte token; only
            // ASCII bytes can match (the others are not valid UTF-8 on their own) and the rest are dropped
            for (int i = 0; i < symbol.length(); i++) {
                char c = symbol.charAt(i);
                int single = c < 0x80 ? vocabulary.id(String.valueOf(c)) : Vocabulary.NONE;
                if (single != Vocabulary.NONE) {
                    ids.add(single);
                }
            }
        }
        return ids.toArray();
    }

    /**
     * A normal token's bytes: each character mapped back to the byte it spells. A character outside
     * the byte alphabet is shown the way llama.cpp shows it, as {@code [UNK_BYTE_0x..<token text>]}.
     */
    static byte[] byteLevelDecode(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        text.codePoints().forEach(cp -> {
            int b = ByteUnicode.byteOf(cp);
            if (b >= 0) {
                out.write(b);
            } else {
                byte[] utf8 = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
                out.writeBytes(("[UNK_BYTE_0x" + HexFormat.of().formatHex(utf8) + text + "]").getBytes(StandardCharsets.UTF_8));
            }
        });
        return out.toByteArray();
    }
}
