package io.moe4j.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token: repetition penalty, then top-k, top-p and min-p filtering, then temperature and
 * a seeded draw (the order llama.cpp's default sampler chain uses). Greedy takes the arg-max.
 */
public final class Sampler {
    private final SamplerSettings settings;
    private final SplittableRandom random;

    public Sampler(SamplerSettings settings) {
        this.settings = settings;
        this.random = new SplittableRandom(settings.seed());
    }

    public SamplerSettings settings() {
        return settings;
    }

    /**
     * @param logits  scores of every token (not modified)
     * @param history tokens so far, for the repetition penalty
     */
    public int sample(float[] logits, int[] history, int historyLength) {
        float[] scores = logits.clone();
        applyRepetitionPenalty(scores, history, historyLength);
        if (settings.greedy()) {
            return argmax(scores);
        }
        int[] candidates = candidatesByScore(scores, settings.topK() > 0 ? Math.min(settings.topK(), scores.length) : scores.length);
        int n = candidates.length;
        double[] probs = softmax(scores, candidates, n, 1f);
        n = topP(probs, n);
        n = minP(probs, n);
        probs = softmax(scores, candidates, n, settings.temperature());
        double r = random.nextDouble();
        double cumulative = 0;
        for (int i = 0; i < n; i++) {
            cumulative += probs[i];
            if (r < cumulative) {
                return candidates[i];
            }
        }
        return candidates[n - 1];
    }

    private void applyRepetitionPenalty(float[] scores, int[] history, int historyLength) {
        if (settings.repeatPenalty() == 1f || history == null) {
            return;
        }
        boolean[] seen = new boolean[scores.length];
        for (int i = Math.max(0, historyLength - settings.repeatLastN()); i < historyLength; i++) {
            int id = history[i];
            if (id >= 0 && id < scores.length && !seen[id]) {
                seen[id] = true;
                scores[id] = scores[id] > 0 ? scores[id] / settings.repeatPenalty() : scores[id] * settings.repeatPenalty();
            }
        }
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    /**
     * The {@code limit} highest-scoring token ids, best first, ties in id order (the order a stable sort of all ids
     * by descending score gives, which is what this replaces: sorting 50,000 boxed ids took most of a decode step of
     * the tiny model). One pass keeps the best {@code limit} in a sorted array; a token enters only when it beats the
     * last, so with top-k 40 almost every token costs one comparison.
     */
    static int[] candidatesByScore(float[] scores, int limit) {
        if (limit > 256) {
            // without a small top-k, a full sort (stable: ties stay in id order)
            Integer[] ids = new Integer[scores.length];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = i;
            }
            Arrays.sort(ids, (a, b) -> Float.compare(scores[b], scores[a]));
            int[] best = new int[limit];
            for (int i = 0; i < limit; i++) {
                best[i] = ids[i];
            }
            return best;
        }
        int[] best = new int[limit];
        int size = 0;
        for (int id = 0; id < scores.length; id++) {
            float s = scores[id];
            if (size == limit && Float.compare(s, scores[best[size - 1]]) <= 0) {
                continue;
            }
            int pos = size == limit ? limit - 1 : size++;
            while (pos > 0 && Float.compare(s, scores[best[pos - 1]]) > 0) {
                best[pos] = best[pos - 1];
                pos--;
            }
            best[pos] = id;
        }
        return best;
    }

    private static double[] softmax(float[] scores, int[] candidates, int n, float temperature) {
        double[] p = new double[n];
        double max = scores[candidates[0]] / temperature;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            p[i] = Math.exp(scores[candidates[i]] / temperature - max);
            sum += p[i];
        }
        for (int i = 0; i < n; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** Keeps the smallest prefix whose probability mass reaches top-p. */
    private int topP(double[] probs, int n) {
        if (settings.topP() >= 1f) {
            return n;
        }
        double cumulative = 0;
        for (int i = 0; i < n; i++) {
            cumulative += probs[i];
            if (cumulative >= settings.topP()) {
                return i + 1;
            }
        }
        return n;
    }

    /** Drops candidates less probable than min-p times the most probable one. */
    private int minP(double[] probs, int n) {
        if (settings.minP() <= 0f) {
            return n;
        }
        double floor = probs[0] * settings.minP();
        int keep = 1;
        while (keep < n && probs[keep] >= floor) {
            keep++;
        }
        return keep;
    }
}
