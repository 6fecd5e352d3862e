package io.moe4j.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed pool of platform threads that splits a range of work items among themselves, the calling
 * thread included. Work is handed out in chunks that any thread claims; the caller waits only for chunks
 * already claimed, so a worker slow to wake (a busy machine) never stalls an operation: the caller simply
 * does the work itself. Workers spin briefly and then park between operations, so that the many small
 * operations of a decode step do not each pay a thread wake-up. Where the work allows it ({@link SeparableTask}),
 * the caller does not wait for a worker that lost its CPU either: it runs that worker's chunk itself.
 */
public final class ComputePool implements AutoCloseable {

    /** The work of one parallel operation, called with disjoint [start, end) ranges. */
    @FunctionalInterface
    public interface RangeTask {
        void run(int start, int end);
    }

    /**
     * Work whose results for a range can be computed aside and written out after. A worker computes its chunks of
     * such work aside; when it keeps one far longer than the calling thread takes for as many items (it lost its
     * CPU: on a shared VM the host takes a core for milliseconds at a time), the calling thread takes the chunk
     * over and runs it, and the worker's results, when it comes back, are dropped. Inputs may change under the
     * dropped computation (the caller has moved on): it must only read them and write to its own storage.
     */
    public interface SeparableTask extends RangeTask {
        /** Computes [start, end) without writing to where {@link #run} writes; the action returned writes the results there. */
        Runnable computeAside(int start, int end);
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
        /** Each worker's chunk of separable work, for the calling thread to take over. */
        final AtomicReferenceArray<Claim> claims;
        volatile Throwable failure;

        Job(RangeTask task, int items, int minChunk, int align, int threads) {
            this.task = task;
            this.items = items;
            this.align = align;
            this.minChunk = roundUp(Math.max(1, minChunk), align);
            this.share = SHARE_OF_REST * threads;
            this.claims = task instanceof SeparableTask ? new AtomicReferenceArray<>(threads - 1) : null;
        }

        /** The start of the next chunk claimed, or -1 when none is left. */
        private int claim() {
            while (true) {
                int start = next.get();
                if (start >= items) {
                    return -1;
                }
                if (next.compareAndSet(start, chunkEnd(start))) {
                    return start;
                }
            }
        }

        private int chunkEnd(int start) {
            return (int) Math.min(items, start + (long) roundUp(Math.max(minChunk, (items - start) / share), align));
        }

        /** Runs chunks until none is left to claim; returns the items run. */
        int drain() {
            int ran = 0;
            for (int start = claim(); start >= 0; start = claim()) {
                int end = chunkEnd(start);
                run(start, end);
                ran += end - start;
            }
            return ran;
        }

        private void run(int start, int end) {
            try {
                task.run(start, end);
            } catch (Throwable e) {
                failure = e;
            } finally {
                done.addAndGet(end - start);
            }
        }

        /** {@link #drain} for worker {@code worker}, computing separable work aside. */
        void drainAside(int worker) {
            SeparableTask separable = (SeparableTask) task;
            for (int start = claim(); start >= 0; start = claim()) {
                Claim c = new Claim(start, chunkEnd(start), System.nanoTime());
                claims.set(worker, c);
                Runnable write = null;
                Throwable error = null;
                try {
                    write = separable.computeAside(c.start, c.end);
                } catch (Throwable e) {
                    error = e;
                }
                if (!c.state.compareAndSet(Claim.COMPUTING, Claim.WRITING)) {
                    // taken over: the calling thread has run it, and is past this operation or about to be
                    return;
                }
                try {
                    if (error != null) {
                        throw error;
                    }
                    write.run();
                } catch (Throwable e) {
                    failure = e;
                } finally {
                    done.addAndGet(c.end - c.start);
                }
            }
        }

        /**
         * Called by the waiting calling thread: runs itself each worker's chunk held longer than {@code patience}
         * nanoseconds per item plus {@link #STEAL_SLACK_NANOS}; returns how many it took over.
         */
        int takeOverStalled(long now, double patience) {
            int taken = 0;
            for (int w = 0; w < claims.length(); w++) {
                Claim c = claims.get(w);
                if (c != null && c.state.get() == Claim.COMPUTING
                        && now - c.claimedAt > STEAL_SLACK_NANOS + patience * (c.end - c.start)
                        && c.state.compareAndSet(Claim.COMPUTING, Claim.TAKEN)) {
                    run(c.start, c.end);
                    taken++;
                }
            }
            return taken;
        }

        boolean finished() {
            return done.get() >= items;
        }
    }

    /** A worker's chunk of separable work ({@link SeparableTask}), and who writes its results. */
    private static final class Claim {
        static final int COMPUTING = 0;
        static final int WRITING = 1;
        static final int TAKEN = 2;

        final int start;
        final int end;
        final long claimedAt;
        final AtomicInteger state = new AtomicInteger(COMPUTING);

        Claim(int start, int end, long claimedAt) {
            this.start = start;
            this.end = end;
            this.claimedAt = claimedAt;
        }
    }

    /**
     * A worker's chunk is taken over once held this long plus {@link #STEAL_PATIENCE} times what the calling thread
     * took per item. Chunks take microseconds to a few hundred; a thread that lost its CPU loses it for 1 to 10 ms
     * or more.
     */
    private static final long STEAL_SLACK_NANOS = 100_000;
    private static final double STEAL_PATIENCE = 3;

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
            int worker = i;
            Thread t = Thread.ofPlatform().daemon().name("moe4j-compute-" + (i + 1)).unstarted(() -> workLoop(worker));
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
        Job j = new Job(task, n, minChunk, Math.max(1, align), threads);
        long start = System.nanoTime();
        job = j;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
        int ran = j.drain();
        long drained = System.nanoTime();
        // per item, what this thread took, or if a worker claimed all, a chunk's worth of slack per item
        double patience = STEAL_PATIENCE * (ran > 0 ? (double) (drained - start) / ran : (double) STEAL_SLACK_NANOS / n);
        int taken = 0;
        long takingOver = 0;
        for (int spins = 0; !j.finished(); spins++) {
            Thread.onSpinWait();
            if (j.claims != null && (spins & 63) == 63) {
                long now = System.nanoTime();
                int took = j.takeOverStalled(now, patience);
                if (took > 0) {
                    taken += took;
                    takingOver += System.nanoTime() - now;
                }
            }
        }
        if (timed != null) {
            long end = System.nanoTime();
            timed.add(end - start, end - drained - takingOver, taken);
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

    private void workLoop(int worker) {
        Job last = null;
        int idle = 0;
        while (!closed) {
            Job j = job;
            if (j != last && j != null) {
                last = j;
                if (j.claims != null) {
                    j.drainAside(worker);
                } else {
                    j.drain();
                }
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
