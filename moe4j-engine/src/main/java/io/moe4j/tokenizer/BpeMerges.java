package io.moe4j.tokenizer;

import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The ranked merge list of a byte-level BPE vocabulary and the merge loop that applies it to one word.
 *
 * <p>Symbols are interned to ints so that a candidate pair is one {@code long} map lookup. The loop is
 * llama.cpp's: a priority queue of adjacent pairs, lowest rank first and leftmost first among equal
 * ranks, with pairs whose symbols have changed since they were queued skipped when they come up.
 */
final class BpeMerges {
    private static final int NO_SYMBOL = -1;

    private final Map<String, Integer> symbolIds = new HashMap<>();
    /** (left symbol, right symbol) to (rank, merged symbol), each packed in a long. */
    private final Map<Long, Long> pairs = new HashMap<>();
    /** Symbol ids of the single characters a byte-level word is made of. */
    private final int[] charSymbols = new int[0x200];

    BpeMerges(String[] merges) {
        for (int rank = 0; rank < merges.length; rank++) {
            String merge = merges[rank];
            // split at the first space after the first character, as llama.cpp does
            int space = merge.indexOf(' ', 1);
            String left = space < 0 ? "" : merge.substring(0, space);
            String right = space < 0 ? "" : merge.substring(space + 1);
            long key = pairKey(intern(left), intern(right));
            // a repeated pair keeps its first (best) rank
            pairs.putIfAbsent(key, ((long) rank << 32) | intern(left + right));
        }
        for (int c = 0; c < charSymbols.length; c++) {
            charSymbols[c] = symbolIds.getOrDefault(String.valueOf((char) c), NO_SYMBOL);
        }
    }

    /**
     * Merges the characters of a byte-level word as far as the merge list allows.
     *
     * @return the lengths of the resulting symbols, in order
     */
    int[] mergedSymbolLengths(String word) {
        int n = word.length();
        if (n <= 1) {
            return n == 0 ? new int[0] : new int[] {1};
        }
        int[] symbol = new int[n];
        int[] length = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0; i < n; i++) {
            char c = word.charAt(i);
            symbol[i] = c < charSymbols.length ? charSymbols[c] : symbolIds.getOrDefault(String.valueOf(c), NO_SYMBOL);
            length[i] = 1;
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }

        PriorityQueue<Candidate> queue = new PriorityQueue<>();
        for (int i = 0; i + 1 < n; i++) {
            offer(queue, symbol, i, i + 1);
        }
        while (!queue.isEmpty()) {
            Candidate c = queue.poll();
            int left = c.left;
            int right = c.right;
            if (length[left] == 0 || length[right] == 0 || next[left] != right
                    || symbol[left] != c.leftSymbol || symbol[right] != c.rightSymbol) {
                continue; // one side was merged into something else since this pair was queued
            }
            symbol[left] = c.mergedSymbol;
            length[left] += length[right];
            length[right] = 0;
            next[left] = next[right];
            if (next[right] >= 0) {
                prev[next[right]] = left;
            }
            if (prev[left] >= 0) {
                offer(queue, symbol, prev[left], left);
            }
            if (next[left] >= 0) {
                offer(queue, symbol, left, next[left]);
            }
        }

        IntList lengths = new IntList(n);
        for (int i = 0; i >= 0; i = next[i]) {
            lengths.add(length[i]);
        }
        return lengths.toArray();
    }

    private void offer(PriorityQueue<Candidate> queue, int[] symbol, int left, int right) {
        if (symbol[left] == NO_SYMBOL || symbol[right] == NO_SYMBOL) {
            return;
        }
        Long merge = pairs.get(pairKey(symbol[left], symbol[right]));
        if (merge != null) {
            queue.add(new Candidate((int) (merge >>> 32), left, right, symbol[left], symbol[right], (int) (long) merge));
        }
    }

    private int intern(String s) {
        return symbolIds.computeIfAbsent(s, k -> symbolIds.size());
    }

    private static long pairKey(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    /** A queued merge of two adjacent symbols. */
    private record Candidate(int rank, int left, int right, int leftSymbol, int rightSymbol, int mergedSymbol)
            implements Comparable<Candidate> {
        @Override
        public int compareTo(Candidate o) {
            return rank != o.rank ? Integer.compare(rank, o.rank) : Integer.compare(left, o.left);
        }
    }
}
