package io.moe4j.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
     * over and runs it, and the worker's results, when it comes back, are dropped. The caller moves on meanwhile:
     * a task whose inputs the caller reuses must not change them while {@link #computingAside} says a worker still
     * reads them. Computed aside, work must write only to storage of its own thread.
     */
    public interface SeparableTask extends RangeTask {
        /** Computes [start, end) into the calling thread's own storage, without writing to where {@link #run} writes. */
        void computeAside(int start, int end);

        /** Writes where {@link #run} writes what this thread's last {@link #computeAside} of [start, end) computed. */
        void writeAside(int start, int end);
    }

    /**
     * The operation under way, one object for the pool's life: a decode step runs hundreds of operations, and the
     * loop allocates nothing (issue #3). Each operation has a new generation number; each region's next item to
     * claim carries it, so that a worker still busy with an earlier operation's work cannot claim in a later one.
     *
     * <p>The items are split into one region per thread (the calling thread's first), and each thread claims chunks
     * from the front of its own region, so that it reads its weights as one sequential stream: with chunks claimed
     * from the front of all that was left, each thread's next chunk lay past the other's, and every chunk started a
     * new stream for the hardware prefetcher to find. A thread whose region is done claims from the front of the
     * next region with items left. A chunk is a fraction of what is left of its region ({@link #SHARE_OF_REST}) but
     * at least {@code minChunk} items: large chunks first, and small ones at the end, so that the threads finish
     * within a small chunk of each other. A prefill hands out all of a layer's experts as one operation, and their
     * rows cost as many products as the expert has tokens; with equal chunks (an eighth of the items each for two
     * threads) the calling thread spent 12% of an olmoe Q4_0 prefill waiting for the other's last chunk, with
     * shrinking ones 4% (perf, 2026-11-30).
     */
    private static final class Job {
        // volatile: a worker that reads a later operation's value here also sees that operation's generation in the cursors
        private volatile RangeTask task;
        private volatile int items;
        private volatile int minChunk;
        private volatile int align;
        private final int share;
        /** Per region: the generation (high half) and the next item to claim (low half). */
        private final AtomicLong[] cursors;
        /** Where each region ends; written before its cursor, read after it. */
        private final int[] regionEnds;
        private final AtomicInteger done = new AtomicInteger();
        /** Each worker's chunk of separable work, for the calling thread to take over. */
        private final Claim[] claims;
        private volatile Throwable failure;

        Job(int threads) {
            this.share = SHARE_OF_REST * threads;
            this.cursors = new AtomicLong[threads];
            for (int r = 0; r < threads; r++) {
                cursors[r] = new AtomicLong();
            }
            this.regionEnds = new int[threads];
            this.claims = new Claim[threads - 1];
            for (int w = 0; w < claims.length; w++) {
                claims[w] = new Claim();
            }
        }

        /** Makes ready operation {@code g}; called by the calling thread once the last one is over. */
        void start(int g, RangeTask task, int items, int minChunk, int align) {
            // the new generation first: from here no claim of an earlier one succeeds, whatever fields a late worker reads
            for (AtomicLong cursor : cursors) {
                cursor.set(pack(g, Integer.MAX_VALUE));
            }
            done.set(0);
            failure = null;
            this.task = task;
            this.items = items;
            this.align = align;
            int chunk = roundUp(Math.max(1, minChunk), align);
            this.minChunk = chunk;
            // no region smaller than a chunk: the threads past the last one only help the others
            int regions = (int) Math.max(1, Math.min(cursors.length, items / chunk));
            int from = 0;
            for (int r = 0; r < cursors.length; r++) {
                int end = r >= regions - 1 ? items : Math.min(items, roundUp((int) ((long) items * (r + 1) / regions), align));
                regionEnds[r] = end;
                cursors[r].set(pack(g, from));
                from = end;
            }
        }

        private static long pack(int generation, int item) {
            return (long) generation << 32 | item;
        }

        /**
         * The next chunk of generation {@code g} claimed by thread {@code self}, from its own region or else the next
         * with items left, as its end (high half) and start (low half); -1 when none is left.
         */
        private long claim(int g, int self) {
            int regions = cursors.length;
            for (int k = 0; k < regions; k++) {
                int r = self + k < regions ? self + k : self + k - regions;
                AtomicLong cursor = cursors[r];
                while (true) {
                    long v = cursor.get();
                    int start = (int) v;
                    if ((int) (v >>> 32) != g || start >= regionEnds[r]) {
                        break;
                    }
                    int end = chunkEnd(r, start);
                    if (cursor.compareAndSet(v, pack(g, end))) {
                        return (long) end << 32 | start;
                    }
                }
            }
            return -1;
        }

        /** Where the chunk from {@code start} ends: a region's last chunk takes a rest smaller than {@code minChunk} along. */
        private int chunkEnd(int region, int start) {
            int n = regionEnds[region];
            long end = start + (long) roundUp(Math.max(minChunk, (n - start) / share), align);
            return n - end < minChunk ? n : (int) end;
        }

        /**
         * Runs chunks of generation {@code g} of {@code t} (its task) for thread {@code self} until none is left to
         * claim; returns the items run.
         */
        int drain(int g, int self, RangeTask t) {
            int ran = 0;
            for (long c = claim(g, self); c >= 0; c = claim(g, self)) {
                int start = (int) c;
                int end = (int) (c >>> 32);
                run(t, start, end);
                ran += end - start;
            }
            return ran;
        }

        private void run(RangeTask t, int start, int end) {
            try {
                t.run(start, end);
            } catch (Throwable e) {
                failure = e;
            } finally {
                done.addAndGet(end - start);
            }
        }

        /** {@link #drain} for worker {@code worker}, computing separable work aside. */
        void drainAside(int worker, int g, SeparableTask separable) {
            Claim c = claims[worker];
            for (long claimed = claim(g, worker + 1); claimed >= 0; claimed = claim(g, worker + 1)) {
                int start = (int) claimed;
                int end = (int) (claimed >>> 32);
                long computing = c.claim(separable, start, end, System.nanoTime());
                Throwable error = null;
                try {
                    separable.computeAside(start, end);
                } catch (Throwable e) {
                    error = e;
                }
                c.task = null;
                if (!c.state.compareAndSet(computing, computing + (Claim.WRITING - Claim.COMPUTING))) {
                    // taken over: the calling thread has run it, and is past this operation or about to be
                    return;
                }
                try {
                    if (error != null) {
                        throw error;
                    }
                    separable.writeAside(start, end);
                } catch (Throwable e) {
                    failure = e;
                } finally {
                    done.addAndGet(end - start);
                }
            }
        }

        /**
         * Called by the waiting calling thread: runs itself each worker's chunk held longer than {@code patience}
         * nanoseconds per item plus {@link #STEAL_SLACK_NANOS}; returns how many it took over.
         */
        int takeOverStalled(long now, double patience) {
            int taken = 0;
            for (Claim c : claims) {
                long s = c.state.get();
                if ((s & Claim.STATUS) != Claim.COMPUTING) {
                    continue;
                }
                // read after the state, written before it: they are this claim's if the state has not moved on
                int start = c.start;
                int end = c.end;
                if (now - c.claimedAt > STEAL_SLACK_NANOS + patience * (end - start)
                        && c.state.compareAndSet(s, s + (Claim.TAKEN - Claim.COMPUTING))) {
                    run(task, start, end);
                    taken++;
                }
            }
            return taken;
        }

        boolean finished() {
            return done.get() >= items;
        }
    }

    /**
     * A worker's chunk of separable work ({@link SeparableTask}), and who writes its results: one object per worker,
     * reused for each chunk it claims. Its state numbers the chunk (high bits) beside its status, so that the calling
     * thread's take-over of one chunk cannot succeed on the next.
     */
    private static final class Claim {
        static final long COMPUTING = 1;
        static final long WRITING = 2;
        static final long TAKEN = 3;
        static final long STATUS = 3;

        final AtomicLong state = new AtomicLong(WRITING);
        /** The work this worker is computing aside, until it is done computing (taken over or not). */
        volatile SeparableTask task;
        volatile int start;
        volatile int end;
        volatile long claimedAt;

        /** Records a newly claimed chunk and returns its computing state. */
        long claim(SeparableTask task, int start, int end, long now) {
            this.task = task;
            this.start = start;
            this.end = end;
            this.claimedAt = now;
            long computing = ((state.get() >>> 2) + 1) << 2 | COMPUTING;
            state.set(computing);
            return computing;
        }
    }

    /**
     * A worker's chunk is taken over once held this long plus {@link #STEAL_PATIENCE} times what the calling thread
     * took per item. Chunks take microseconds to a few hundred; a thread that lost its CPU loses it for 1 to 10 ms
     * or more.
     */
    private static final long STEAL_SLACK_NANOS = 100_000;
    private static final double STEAL_PATIENCE = 3;

    /** A chunk is what is left of its region divided by this many times the threads. */
    private static final int SHARE_OF_REST = 2;

    private static int roundUp(int n, int align) {
        return (int) Math.min(Integer.MAX_VALUE, ((long) n + align - 1) / align * align);
    }

    private static final int SPINS_BEFORE_PARKING = 50_000;

    private final int threads;
    private final Thread[] workers;
    private final Job job;
    /**
     * The generation of the operation under way (the count of operations handed out), written last when it is ready.
     * Workers spin on it between operations, so it lives apart from the job's fields, which the calling thread writes
     * just before: in their cache line, the spinning worker would pull the line away at each of those writes.
     */
    private volatile int published;
    private volatile boolean closed;
    /** Set by the calling thread to time its operations; null (the default) costs one field read per operation. */
    private OperationTimes times;

    public ComputePool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.threads = threads;
        this.job = new Job(threads);
        this.workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            int worker = i;
            Thread t = Thread.ofPlatform().daemon().name("moe4j-compute-" + (i + 1)).unstarted(() -> workLoop(worker));
            workers[i] = t;
            t.start();
        }
    }

    /**
     * Whether a worker is still computing aside a chunk of {@code task} that the calling thread took over: the
     * operation is over, but that worker still reads the task's inputs.
     */
    public boolean computingAside(SeparableTask task) {
        for (Claim c : job.claims) {
            if (c.task == task) {
                return true;
            }
        }
        return false;
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
        if (times != null) {
            times.products().startRun();
        }
    }

    /** Where this pool's calling thread times its operations, or null. */
    OperationTimes timing() {
        return times;
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
        Job j = job;
        long start = System.nanoTime();
        int g = published + 1;
        j.start(g, task, n, minChunk, Math.max(1, align));
        published = g;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
        int ran = j.drain(g, 0, task);
        long drained = System.nanoTime();
        // per item, what this thread took, or if a worker claimed all, a chunk's worth of slack per item
        double patience = STEAL_PATIENCE * (ran > 0 ? (double) (drained - start) / ran : (double) STEAL_SLACK_NANOS / n);
        int taken = 0;
        long takingOver = 0;
        boolean separable = task instanceof SeparableTask;
        for (int spins = 0; !j.finished(); spins++) {
            Thread.onSpinWait();
            if (separable && (spins & 63) == 63) {
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
        Job j = job;
        int last = 0; // not what published holds when this thread starts: the pool's first operation may be under way
        int idle = 0;
        while (!closed) {
            int g = published;
            if (g != last) {
                last = g;
                // read after the generation: this operation's task or a later one's, whose chunks g cannot claim
                RangeTask task = j.task;
                if (task instanceof SeparableTask separable) {
                    j.drainAside(worker, g, separable);
                } else {
                    j.drain(g, worker + 1, task);
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
