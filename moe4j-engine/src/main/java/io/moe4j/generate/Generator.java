package io.moe4j.generate;

import java.util.function.IntConsumer;
import java.util.function.IntPredicate;

/** Completes a prompt: one batched prefill, then one token at a time until a stop token, a limit or the context's end. */
public final class Generator {

    public enum StopReason {
        END_OF_GENERATION, TOKEN_LIMIT, CONTEXT_FULL
    }

    public record Stats(int promptTokens, long prefillNanos, int generatedTokens, long decodeNanos, StopReason stopReason) {
        public double prefillTokensPerSecond() {
            return promptTokens / Math.max(1e-9, prefillNanos / 1e9);
        }

        /** Decode speed over the tokens after the first (the first comes from the prefill's logits). */
        public double decodeTokensPerSecond() {
            return Math.max(0, generatedTokens - 1) / Math.max(1e-9, decodeNanos / 1e9);
        }
    }

    private Generator() {
    }

    /**
     * @param isEndOfGeneration tokens that end the completion (not passed to {@code onToken})
     * @param onToken           told each generated token as soon as it is sampled
     */
    public static Stats generate(LogitsSource session, int[] prompt, int maxTokens, Sampler sampler,
                                 IntPredicate isEndOfGeneration, IntConsumer onToken) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt is empty: give at least one token");
        }
        long t0 = System.nanoTime();
        float[] logits = session.feed(prompt);
        long t1 = System.nanoTime();
        int generated = 0;
        StopReason reason = StopReason.TOKEN_LIMIT;
        while (generated < maxTokens) {
            int[] history = session.history();
            int next = sampler.sample(logits, history, history.length);
            if (isEndOfGeneration.test(next)) {
                reason = StopReason.END_OF_GENERATION;
                break;
            }
            generated++;
            onToken.accept(next);
            if (generated == maxTokens) {
                break;
            }
            if (session.position() >= session.contextSize()) {
                reason = StopReason.CONTEXT_FULL;
                break;
            }
            logits = session.feed(next);
        }
        return new Stats(prompt.length, t1 - t0, generated, System.nanoTime() - t1, reason);
    }
}
