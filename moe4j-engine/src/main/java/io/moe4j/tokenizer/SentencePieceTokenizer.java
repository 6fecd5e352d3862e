package io.moe4j.tokenizer;

import io.moe4j.gguf.GgufException;
import io.moe4j.gguf.GgufMetadata;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.PriorityQueue;

/**
 * SentencePiece BPE as llama.cpp implements it ({@code tokenizer.ggml.model = llama}): spaces become
 * U+2581 ('▁'), the text starts as one symbol per character, and adjacent symbols are merged while
 * their concatenation is a token, highest token score first. Characters that end up in no token are
 * written as their UTF-8 bytes with the {@code <0xXX>} byte tokens.
 */
final class SentencePieceTokenizer extends VocabularyTokenizer {
    private static final char SPACE_MARK = '\u2581';

    /** The token for each byte value, for byte fallback; {@link Vocabulary#NONE} if the vocabulary lacks it. */
    private final int[] byteTokens = new int[256];

    private SentencePieceTokenizer(Vocabulary vocabulary) {
        super(vocabulary, SentencePieceTokenizer::unescapeSpaces);
        for (int b = 0; b < 256; b++) {
            int id = vocabulary.id(String.format("<0x%02X>", b));
            if (id == Vocabulary.NONE && b < 0x80) {
                id = vocabulary.id(String.valueOf((char) b)); // llama.cpp's second choice: the byte as text
            }
            byteTokens[b] = id;
        }
    }

    static SentencePieceTokenizer fromGguf(GgufMetadata md) {
        // LLaMA's ids (<unk> 0, <s> 1, </s> 2) are llama.cpp's defaults; BOS and the dummy prefix are on unless turned off
        return new SentencePieceTokenizer(VocabularyLoader.load(md, new VocabularyLoader.Defaults(1, 2, 0, true, true)));
    }

    @Override
    void encodeFragments(List<Fragment> fragments, IntList out) {
        // SentencePiece's dummy prefix: the text, and any text right after a special token, starts with a space
        boolean afterSpecial = true;
        for (Fragment fragment : fragments) {
            switch (fragment) {
                case Fragment.SpecialToken(int id) -> {
                    out.add(id);
                    afterSpecial = true;
                }
                case Fragment.Text(String text) -> {
                    String prefixed = vocabulary.addSpacePrefix() && afterSpecial ? " " + text : text;
                    encodeText(prefixed.replace(' ', SPACE_MARK), out);
                    afterSpecial = false;
                }
            }
        }
    }

    private void encodeText(String text, IntList out) {
        int[] cps = Utf8.codePoints(text);
        int n = cps.length;
        if (n == 0) {
            return;
        }
        int[] length = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0; i < n; i++) {
            length[i] = 1;
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        PriorityQueue<Candidate> queue = new PriorityQueue<>();
        for (int i = 0; i + 1 < n; i++) {
            offer(queue, cps, length, i, i + 1);
        }
        while (!queue.isEmpty()) {
            Candidate c = queue.poll();
            int left = c.left;
            int right = c.right;
            // a symbol only changes by growing, so an unchanged total length means an unchanged pair
            if (length[left] == 0 || length[right] == 0 || length[left] + length[right] != c.length) {
                continue;
            }
            length[left] += length[right];
            length[right] = 0;
            next[left] = next[right];
            if (next[right] >= 0) {
                prev[next[right]] = left;
            }
            if (prev[left] >= 0) {
                offer(queue, cps, length, prev[left], left);
            }
            if (next[left] >= 0) {
                offer(queue, cps, length, left, next[left]);
            }
        }
        for (int i = 0; i >= 0; i = next[i]) {
            int id = vocabulary.id(new String(cps, i, length[i]));
            if (id != Vocabulary.NONE) {
                out.add(id);
            } else {
                for (byte b : Utf8.encode(cps, i, i + length[i])) {
                    out.add(byteToken(b & 0xFF));
                }
            }
        }
    }

    private void offer(PriorityQueue<Candidate> queue, int[] cps, int[] length, int left, int right) {
        int combined = length[left] + length[right];
        int id = vocabulary.id(new String(cps, left, combined));
        if (id != Vocabulary.NONE) {
            queue.add(new Candidate(vocabulary.score(id), left, right, combined));
        }
    }

    /**
     * The byte-fallback token for a byte. llama.cpp has no answer when the vocabulary lacks it (it
     * throws); we use the unknown token then.
     */
    private int byteToken(int b) {
        int id = byteTokens[b];
        if (id == Vocabulary.NONE) {
            id = vocabulary.unknown();
        }
        if (id == Vocabulary.NONE) {
            throw new GgufException(String.format("the vocabulary has neither a token for byte 0x%02X nor an unknown token", b));
        }
        return id;
    }

    /** A normal token's bytes: its text with '▁' turned back into spaces. */
    static byte[] unescapeSpaces(String text) {
        return text.replace(SPACE_MARK, ' ').getBytes(StandardCharsets.UTF_8);
    }

    /** A queued merge of two adjacent symbols; higher score first, leftmost first among equal scores. */
    private record Candidate(float score, int left, int right, int length) implements Comparable<Candidate> {
        @Override
        public int compareTo(Candidate o) {
            // plain comparisons, not Float.compare, so that 0.0 and -0.0 tie as they do in llama.cpp
            if (score != o.score) {
                return score > o.score ? -1 : 1;
            }
            return Integer.compare(left, o.left);
        }
    }
}
