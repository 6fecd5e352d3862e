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
 * The warm-up repeats the operation for at least {@link #WARM_UP_NANOS}, until the JIT has compiled nothing for a
 * second and two runs agree ({@link #warmedUp}): unlike llama-bench's compiled code, our kernels are compiled by the
 * JIT while they run, and a single warm-up run left later runs up to 7x apart.
 */
public final class Benchmark {

    /**
     * Mean and standard deviation of tokens per second over the repetitions, and where the measured runs spent their
     * time ({@code operations}: inside the pool's parallel operations, over {@code nanos} in all).
     */
    public record Measurement(String name, int tokens, double meanTokensPerSecond, double sdTokensPerSecond, double[] samples,
                              OperationTimes operations, long nanos, long allocatedBytes) {
        /**
         * Heap bytes the JVM's threads allocated during the measured runs, per token; NaN where the JVM does not say.
         * A compiled decode step allocates only its routing decisions (a few hundred bytes a layer); vector code
         * that the JIT left as calls to the Vector API's Java fallbacks allocates every vector, tens to hundreds of KB
         * per token, and runs several times slower ({@link #FALLBACK_BYTES_PER_LAYER}).
         */
        public double allocatedBytesPerToken() {
            return allocatedBytes < 0 ? Double.NaN : (double) allocatedBytes / ((long) tokens * samples.length);
        }

        /** The median run: on a shared machine one stalled run moves the mean, not this. */
        public double medianTokensPerSecond() {
            return median(samples);
        }

        public double bestTokensPerSecond() {
            return java.util.Arrays.stream(samples).max().orElse(0);
        }
    }

    /**
     * Above this many bytes allocated per decoded token and layer, decode ran vector code as the Vector API's Java
     * fallbacks. Compiled, a step allocates its routing decisions: 145 bytes a layer on tiny-code-moe (top-4), 210 on
     * olmoe (top-8; 726 and 3,366 bytes a token, {@code bench}, 2026-12-01). Uncompiled, one key store at 256 bits
     * allocated 2 KB a layer (10.8 KB a tiny-code-moe step), and attention's rounding 78 KB a layer (388 KB a step).
     */
    public static final double FALLBACK_BYTES_PER_LAYER = 1024;

    /** The middle value, or the mean of the two middle values; {@code values} is left as it was. */
    public static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    static final long WARM_UP_NANOS = 3_000_000_000L;
    /**
     * Past the first {@link #WARM_UP_NANOS}, the warm-up goes on until the JIT is quiet and two runs in a row agree
     * within 10%, up to this long: on multi-GB models a run takes about a second, and three of them left the JIT still
     * compiling, so the first measured prefill came out 30-60% slow.
     */
    static final long WARM_UP_LIMIT_NANOS = 30_000_000_000L;

    /** The warm-up ends only once the JIT has compiled nothing for this long (and two runs agree). */
    static final long JIT_QUIET_NANOS = 1_000_000_000L;

    /** The warm-up reports its progress about this often. */
    private static final long PROGRESS_NANOS = 1_000_000_000L;

    /**
     * Whether a warm-up that has run {@code elapsed} nanoseconds, the JIT last compiling {@code sinceCompile} ago, with
     * its last two runs taking {@code previous} and {@code last}, is done: past {@link #WARM_UP_NANOS}, once the JIT
     * has been quiet for {@link #JIT_QUIET_NANOS} and the two runs agree, or at {@link #WARM_UP_LIMIT_NANOS} regardless.
     */
    static boolean warmedUp(long elapsed, long sinceCompile, long previous, long last) {
        if (elapsed < WARM_UP_NANOS) {
            return false;
        }
        return elapsed >= WARM_UP_LIMIT_NANOS || (sinceCompile >= JIT_QUIET_NANOS && steady(previous, last));
    }

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

    /** llama-bench's names: {@code tg32}, or {@code tg32 @ d512} with a filled context ({@code kind} "pp" or "tg"). */
    public static String name(String kind, int tokens, int depth) {
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
        // the warm-up runs exactly what a measured run does, timing of the pool's operations included: a branch first
        // taken in the measured runs cost the JIT a deoptimization and a recompilation there (ComputePool.forRange's
        // timing, and the formatting of the progress lines, compiled while the first measured prefills ran)
        OperationTimes warmUpOperations = new OperationTimes();
        long[] warmUpAllocated = {0};
        long warmUpStart = System.nanoTime();
        long reported = warmUpStart;
        long previous = Long.MAX_VALUE;
        long last = Long.MAX_VALUE;
        long elapsed;
        long compileMillis = compilationMillis();
        long lastCompile = warmUpStart;
        long now;
        do {
            previous = last;
            last = timedRun(pool, warmUpOperations, setUp, run, warmUpAllocated);
            now = System.nanoTime();
            long millis = compilationMillis();
            if (millis != compileMillis) {
                compileMillis = millis;
                lastCompile = now;
            }
            elapsed = now - warmUpStart;
            if (now - reported >= PROGRESS_NANOS) {
                reported = now;
                progress.accept(String.format(java.util.Locale.ROOT, "%s: warm-up %d s %.1f tok/s", name, elapsed / 1_000_000_000L, tokens / (last / 1e9)));
            }
        } while (!warmedUp(elapsed, now - lastCompile, previous, last));
        double[] rates = new double[repetitions];
        OperationTimes operations = new OperationTimes();
        long nanos = 0;
        long[] allocated = {0};
        for (int r = 0; r < repetitions; r++) {
            long took = timedRun(pool, operations, setUp, run, allocated);
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
        return new Measurement(name, tokens, mean, sd, rates, operations, nanos, allocated[0]);
    }

    /**
     * Milliseconds the JIT has spent compiling so far, or 0 where the JVM does not say. The warm-up goes on while it
     * grows: a tiny model's first prefills ran at 50-120 tok/s while the compiler caught up, took the 3 s minimum in
     * two or three runs, and the measured runs then climbed from 3,500 to 9,000 tok/s as compilations landed.
     */
    private static long compilationMillis() {
        return JIT != null && JIT.isCompilationTimeMonitoringSupported() ? JIT.getTotalCompilationTime() : 0;
    }

    /** Looked up once: looking it up per run compiled the lookup's own stream code and kept the JIT busy. */
    private static final java.lang.management.CompilationMXBean JIT = java.lang.management.ManagementFactory.getCompilationMXBean();

    /**
     * Heap bytes all threads have allocated so far, or -1 where the JVM does not count them (threads idle during a
     * run allocate nothing).
     */
    private static long allocatedSoFar() {
        if (!(THREADS instanceof com.sun.management.ThreadMXBean counting) || !counting.isThreadAllocatedMemoryEnabled()) {
            return -1;
        }
        return counting.getTotalThreadAllocatedBytes();
    }

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    /**
     * Nanoseconds of one run after its (untimed) set-up, the pool's operations timed into {@code operations}, the heap
     * bytes it allocated added to {@code allocated[0]} (which turns -1 for good where they are not counted).
     */
    private static long timedRun(ComputePool pool, OperationTimes operations, Runnable setUp, Runnable run, long[] allocated) {
        setUp.run();
        pool.timeOperations(operations);
        long before = allocatedSoFar();
        long t0 = System.nanoTime();
        long took;
        try {
            run.run();
        } finally {
            took = System.nanoTime() - t0;
            pool.timeOperations(null);
        }
        long after = allocatedSoFar();
        allocated[0] = before < 0 || after < 0 || allocated[0] < 0 ? -1 : allocated[0] + (after - before);
        return took;
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
