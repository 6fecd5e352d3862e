package io.moe4j.generate;

import io.moe4j.tensor.VectorMath;

import java.util.function.IntConsumer;

/**
 * Perplexity over non-overlapping windows of {@code ctx} tokens, as llama.cpp's perplexity tool with
 * every position scored: window w feeds tokens [w·ctx, (w+1)·ctx) in one batch and scores the prediction
 * of each next token, so the first token of a window is context only and the last target is the first
 * token of the next window.
 */
public final class Perplexity {

    public record Result(double meanNll, long predictions, int windows) {
        public double perplexity() {
            return Math.exp(meanNll);
        }

        /** The line the CLI ends with. */
        public String summaryLine() {
            return String.format(java.util.Locale.ROOT, "ppl=%.4f nll=%.5f tokens=%d", perplexity(), meanNll, predictions);
        }
    }

    private Perplexity() {
    }

    /** How many full windows {@code tokenCount} tokens give. */
    public static int windowCount(long tokenCount, int ctx) {
        return (int) Math.max(0, (tokenCount - 1) / ctx);
    }

    /**
     * @param maxWindows at most this many windows (≤ 0: all)
     * @param progress   told the index of each finished window
     */
    public static Result evaluate(LogitsSource session, int[] tokens, int ctx, int maxWindows, IntConsumer progress) {
        if (ctx < 2) {
            throw new IllegalArgumentException("context must be at least 2 tokens, got " + ctx);
        }
        if (ctx > session.contextSize()) {
            throw new IllegalArgumentException("window of " + ctx + " tokens exceeds the session context " + session.contextSize());
        }
        int windows = windowCount(tokens.length, ctx);
        if (maxWindows > 0) {
            windows = Math.min(windows, maxWindows);
        }
        if (windows == 0) {
            throw new IllegalArgumentException("need at least " + (ctx + 1) + " tokens for one window of " + ctx + ", got " + tokens.length);
        }
        double nll = 0;
        long count = 0;
        int[] window = new int[ctx];
        for (int w = 0; w < windows; w++) {
            System.arraycopy(tokens, w * ctx, window, 0, ctx);
            session.reset();
            float[][] logits = session.feedAll(window);
            for (int i = 0; i < ctx; i++) {
                nll += negativeLogLikelihood(logits[i], tokens[w * ctx + i + 1]);
                count++;
            }
            if (progress != null) {
                progress.accept(w);
            }
        }
        return new Result(nll / count, count, windows);
    }

    /** {@code -log softmax(logits)[target]}. */
    public static double negativeLogLikelihood(float[] logits, int target) {
        return VectorMath.logSumExp(logits) - logits[target];
    }

}
