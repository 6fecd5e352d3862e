package io.moe4j.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed pool of platform threads that splits a range of work items among themselves, the calling
 * thread included. Workers spin briefly and then park between operations, so that the many small
 * operations of a decode step do not pay a thread wake-up each.
 */
public final class ComputePool implements AutoCloseable {

    /** The work of one parallel operation, called with disjoint [start, end) ranges. */
    @FunctionalInterface
    public interface RangeTask {
        void run(int start, int end);
    }

    private final int threads;
    private final Thread[] workers;
    private volatile RangeTask task;
    private volatile int items;
    private volatile int chunk;
    private final AtomicInteger nextChunk = new AtomicInteger();
    private final AtomicInteger pending = new AtomicInteger();
    private volatile long generation;
    private volatile boolean closed;
    private volatile Throwable failure;

    public ComputePool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            Thread t = Thread.ofPlatform().daemon().name("moe4j-compute-" + (i + 1)).unstarted(this::workLoop);
            workers[i] = t;
            t.start();
        }
    }

    public static int defaultThreads() {
        return Runtime.getRuntime().availableProcessors();
    }

    public int threads() {
        return threads;
    }

    /**
     * Runs {@code task} over [0, n) split into chunks of at least {@code minChunk} items, and returns when
     * all are done. Not reentrant: one operation at a time, from one caller thread.
     */
    public void forRange(int n, int minChunk, RangeTask task) {
        if (n <= 0) {
            return;
        }
        int parts = Math.min(threads * 4, Math.max(1, n / Math.max(1, minChunk)));
        if (parts <= 1 || threads == 1) {
            task.run(0, n);
            return;
        }
        this.task = task;
        this.items = n;
        this.chunk = (n + parts - 1) / parts;
        nextChunk.set(0);
        pending.set(workers.length);
        failure = null;
        generation++;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
        drain(task, n, chunk);
        while (pending.get() > 0) {
            Thread.onSpinWait();
        }
        this.task = null;
        Throwable f = failure;
        if (f != null) {
            if (f instanceof RuntimeException re) {
                throw re;
            }
            if (f instanceof Error e) {
                throw e;
            }
            throw new IllegalStateException(f);
        }
    }

    private void drain(RangeTask t, int n, int size) {
        while (true) {
            int start = nextChunk.getAndIncrement() * size;
            if (start >= n) {
                return;
            }
            t.run(start, Math.min(n, start + size));
        }
    }

    private void workLoop() {
        long seen = 0;
        while (!closed) {
            long g = generation;
            if (g == seen) {
                int spins = 0;
                while (generation == seen && !closed) {
                    if (++spins < 20_000) {
                        Thread.onSpinWait();
                    } else {
                        LockSupport.parkNanos(this, 200_000);
                    }
                }
                continue;
            }
            seen = g;
            try {
                RangeTask t = task;
                if (t != null) {
                    drain(t, items, chunk);
                }
            } catch (Throwable e) {
                failure = e;
            } finally {
                pending.decrementAndGet();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
    }
}
