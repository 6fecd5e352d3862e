package io.moe4j.generate;

import io.moe4j.model.MoeModel;
import io.moe4j.tensor.ComputePool;
import io.moe4j.tensor.OperationTimes;

import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Prefill and decode speed, measured as llama-bench does: a prefill of {@code p} tokens in one batch,
 * and a decode of {@code n} tokens one at a time, from an empty context or after {@code d} tokens (not timed), each
 * repeated after a warm-up.
 * The warm-up repeats the operation for at least {@link #WARM_UP_NANOS} and until two runs agree: unlike
 * llama-bench's compiled code, our kernels are compiled by the JIT while they run, and a single warm-up run left
 * later runs up to 7x apart.
 */
public final class Benchmark {

    /**
     * Mean and standard deviation of tokens per second over the repetitions, and where the measured runs spent their
     * time ({@code operations}: inside the pool's parallel operations, over {@code nanos} in all).
     */
    public record Measurement(String name, int tokens, double meanTokensPerSecond, double sdTokensPerSecond, double[] samples,
                              OperationTimes operations, long nanos) {
        /** The median run: on a shared machine one stalled run moves the mean, not this. */
        public double medianTokensPerSecond() {
            return median(samples);
        }

        public double bestTokensPerSecond() {
            return java.util.Arrays.stream(samples).max().orElse(0);
        }
    }

    /** The middle value, or the mean of the two middle values; {@code values} is left as it was. */
    static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    static final long WARM_UP_NANOS = 3_000_000_000L;
    /**
     * Past the first {@link #WARM_UP_NANOS}, the warm-up goes on until two runs in a row agree within 10%,
     * up to this long: on multi-GB models a run takes about a second, and three of them left the JIT still
     * compiling, so the first measured prefill came out 30-60% slow.
     */
    static final long WARM_UP_LIMIT_NANOS = 30_000_000_000L;

    static boolean steady(long previousNanos, long lastNanos) {
        return previousNanos != Long.MAX_VALUE && Math.abs(previousNanos - lastNanos) <= 0.1 * Math.min(previousNanos, lastNanos);
    }

    private Benchmark() {
    }

    public static Measurement prefill(MoeModel model, ComputePool pool, int tokens, int repetitions, Consumer<String> progress) {
        return prefill(model, pool, tokens, 0, repetitions, progress);
    }

    /** A prefill of {@code tokens} after {@code depth} tokens already in the context (llama-bench's {@code -d}), which is not timed. */
    public static Measurement prefill(MoeModel model, ComputePool pool, int tokens, int depth, int repetitions, Consumer<String> progress) {
        int[] ids = randomTokens(model, tokens, 1);
        Session session = new Session(model, pool, depth + tokens);
        return measure(name("pp", tokens, depth), tokens, repetitions, pool, progress, filler(model, session, depth), () -> session.feed(ids));
    }

    public static Measurement decode(MoeModel model, ComputePool pool, int tokens, int repetitions, Consumer<String> progress) {
        return decode(model, pool, tokens, 0, repetitions, progress);
    }

    /** A decode of {@code tokens} after {@code depth} tokens already in the context, which is not timed. */
    public static Measurement decode(MoeModel model, ComputePool pool, int tokens, int depth, int repetitions, Consumer<String> progress) {
        int[] ids = randomTokens(model, tokens, 2);
        Session session = new Session(model, pool, depth + tokens);
        return measure(name("tg", tokens, depth), tokens, repetitions, pool, progress, filler(model, session, depth), () -> {
            for (int id : ids) {
                session.feed(id);
            }
        });
    }

    /** llama-bench's names: {@code tg32}, or {@code tg32 @ d512} with a filled context. */
    private static String name(String kind, int tokens, int depth) {
        return kind + tokens + (depth > 0 ? " @ d" + depth : "");
    }

    /** Empties the session and fills its context with {@code depth} tokens, as one batch. */
    private static Runnable filler(MoeModel model, Session session, int depth) {
        if (depth < 0) {
            throw new IllegalArgumentException("depth must not be negative, got " + depth);
        }
        int[] context = randomTokens(model, depth, 3);
        return () -> {
            session.reset();
            if (depth > 0) {
                session.feed(context);
            }
        };
    }

    private static Measurement measure(String name, int tokens, int repetitions, ComputePool pool, Consumer<String> progress,
                                       Runnable setUp, Runnable run) {
        if (tokens < 1 || repetitions < 1) {
            throw new IllegalArgumentException(name + ": tokens and repetitions must be positive");
        }
        progress.accept(name + ": warm-up");
        long warmUpStart = System.nanoTime();
        long previous = Long.MAX_VALUE;
        long last = Long.MAX_VALUE;
        long elapsed;
        do {
            setUp.run();
            long t0 = System.nanoTime();
            run.run();
            previous = last;
            last = System.nanoTime() - t0;
            elapsed = System.nanoTime() - warmUpStart;
        } while (elapsed < WARM_UP_NANOS || (!steady(previous, last) && elapsed < WARM_UP_LIMIT_NANOS));
        double[] rates = new double[repetitions];
        OperationTimes operations = new OperationTimes();
        long nanos = 0;
        for (int r = 0; r < repetitions; r++) {
            setUp.run();
            pool.timeOperations(operations);
            long t0 = System.nanoTime();
            try {
                run.run();
            } finally {
                pool.timeOperations(null);
            }
            long took = System.nanoTime() - t0;
            nanos += took;
            rates[r] = tokens / (took / 1e9);
            progress.accept(String.format(java.util.Locale.ROOT, "%s: run %d/%d %.1f tok/s", name, r + 1, repetitions, rates[r]));
        }
        double mean = 0;
        for (double v : rates) {
            mean += v;
        }
        mean /= repetitions;
        double var = 0;
        for (double v : rates) {
            var += (v - mean) * (v - mean);
        }
        double sd = repetitions > 1 ? Math.sqrt(var / (repetitions - 1)) : 0;
        return new Measurement(name, tokens, mean, sd, rates, operations, nanos);
    }

    private static int[] randomTokens(MoeModel model, int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = random.nextInt(model.config().vocabularySize());
        }
        return ids;
    }
}
