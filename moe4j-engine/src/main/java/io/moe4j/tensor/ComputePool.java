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

    /**
     * One operation. Threads claim chunks from the front of what is left, each a fraction of it
     * ({@link #SHARE_OF_REST}) but at least {@code minChunk} items: large chunks first, when there is much to
     * share, and small ones at the end, so that the threads finish within a small chunk of each other. A prefill
     * hands out all of a layer's experts as one operation, and their rows cost as many products as the expert
     * has tokens; with equal chunks (an eighth of the items each for two threads) the calling thread spent 12%
     * of an olmoe Q4_0 prefill waiting for the other's last chunk, with these 4% (perf, 2026-11-30).
     */
    private static final class Job {
        final RangeTask task;
        final int items;
        final int minChunk;
        final int align;
        final int share;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        volatile Throwable failure;

        Job(RangeTask task, int items, int minChunk, int align, int threads) {
            this.task = task;
            this.items = items;
            this.align = align;
            this.minChunk = roundUp(Math.max(1, minChunk), align);
            this.share = SHARE_OF_REST * threads;
        }

        void drain() {
            while (true) {
                int start = next.get();
                if (start >= items) {
                    return;
                }
                int end = (int) Math.min(items, start + (long) roundUp(Math.max(minChunk, (items - start) / share), align));
                if (!next.compareAndSet(start, end)) {
                    continue;
                }
                try {
                    task.run(start, end);
                } catch (Throwable e) {
                    failure = e;
                } finally {
                    done.addAndGet(end - start);
                }
            }
        }

        boolean finished() {
            return done.get() >= items;
        }
    }

    /** A chunk is what is left divided by this many times the threads. */
    private static final int SHARE_OF_REST = 2;

    private static int roundUp(int n, int align) {
        return (int) Math.min(Integer.MAX_VALUE, ((long) n + align - 1) / align * align);
    }

    private static final int SPINS_BEFORE_PARKING = 50_000;

    private final int threads;
    private final Thread[] workers;
    private volatile Job job;
    private volatile boolean closed;
    /** Set by the calling thread to time its operations; null (the default) costs one field read per operation. */
    private OperationTimes times;

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
     * Times this pool's parallel operations into {@code times} from now on (null stops); call from the thread that
     * runs the operations, between them.
     */
    public void timeOperations(OperationTimes times) {
        this.times = times;
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
        if (threads == 1 || n < 2L * Math.max(1, minChunk)) {
            task.run(0, n);
            return;
        }
        OperationTimes timed = times;
        long start = timed == null ? 0 : System.nanoTime();
        Job j = new Job(task, n, minChunk, Math.max(1, align), threads);
        job = j;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
        j.drain();
        long drained = timed == null ? 0 : System.nanoTime();
        while (!j.finished()) {
            Thread.onSpinWait();
        }
        if (timed != null) {
            long end = System.nanoTime();
            timed.add(end - start, end - drained);
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
