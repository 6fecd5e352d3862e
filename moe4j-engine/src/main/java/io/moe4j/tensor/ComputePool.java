package io.moe4j.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed pool of platform threads that splits a range of work items among themselves, the calling
 * thread included. Work is handed out in chunks that any thread claims; the caller waits only for chunks
 * already claimed, so a worker slow to wake (a busy machine) never stalls an operation: the caller simply
 * does the work itself. Workers spin briefly and then park between operations, so that the many small
 * operations of a decode step do not each pay a thread wake-up.
 */
public final class ComputePool implements AutoCloseable {

    /** The work of one parallel operation, called with disjoint [start, end) ranges. */
    @FunctionalInterface
    public interface RangeTask {
        void run(int start, int end);
    }

    /** One operation: its chunks are claimed through {@code next} and counted through {@code done}. */
    private static final class Job {
        final RangeTask task;
        final int items;
        final int chunkSize;
        final int chunks;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        volatile Throwable failure;

        Job(RangeTask task, int items, int chunkSize) {
            this.task = task;
            this.items = items;
            this.chunkSize = chunkSize;
            this.chunks = (items + chunkSize - 1) / chunkSize;
        }

        void drain() {
            int c;
            while ((c = next.getAndIncrement()) < chunks) {
                try {
                    int start = c * chunkSize;
                    task.run(start, Math.min(items, start + chunkSize));
                } catch (Throwable e) {
                    failure = e;
                } finally {
                    done.incrementAndGet();
                }
            }
        }
    }

    private static final int SPINS_BEFORE_PARKING = 50_000;

    private final int threads;
    private final Thread[] workers;
    private volatile Job job;
    private volatile boolean closed;

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
     * all are done. One operation at a time, from one caller thread.
     */
    public void forRange(int n, int minChunk, RangeTask task) {
        forRange(n, minChunk, 1, task);
    }

    /** {@link #forRange(int, int, RangeTask)} with every chunk but the last a multiple of {@code align} items. */
    public void forRange(int n, int minChunk, int align, RangeTask task) {
        if (n <= 0) {
            return;
        }
        int parts = Math.min(threads * 4, Math.max(1, n / Math.max(1, minChunk)));
        if (parts <= 1 || threads == 1) {
            task.run(0, n);
            return;
        }
        int chunk = (n + parts - 1) / parts;
        Job j = new Job(task, n, (chunk + align - 1) / align * align);
        job = j;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
        j.drain();
        while (j.done.get() < j.chunks) {
            Thread.onSpinWait();
        }
        Throwable f = j.failure;
        if (f instanceof RuntimeException re) {
            throw re;
        }
        if (f instanceof Error e) {
            throw e;
        }
        if (f != null) {
            throw new IllegalStateException(f);
        }
    }

    private void workLoop() {
        Job last = null;
        int idle = 0;
        while (!closed) {
            Job j = job;
            if (j != last && j != null) {
                last = j;
                j.drain();
                idle = 0;
            } else if (++idle < SPINS_BEFORE_PARKING) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(this, 1_000_000);
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
