package io.moe4j.tensor;

/**
 * Where a {@link ComputePool}'s calling thread spent its time: inside parallel operations, and of that, waiting at
 * their ends for chunks other threads still hold. A wait of {@link #LONG_WAIT_NANOS} or more is far longer than any
 * chunk: the thread holding it lost its CPU (on a shared VM, to the host's or other tenants' work). Written by the
 * pool's one calling thread and read by it between operations.
 */
public final class OperationTimes {
    /** Chunks take microseconds; a wait this long means the other thread was descheduled. */
    public static final long LONG_WAIT_NANOS = 500_000;

    private long operations;
    private long operationNanos;
    private long waitNanos;
    private long longWaits;
    private long longWaitNanos;
    private long takenOver;
    private final ProductTimes products = new ProductTimes();

    void add(long operation, long wait, int taken) {
        operations++;
        takenOver += taken;
        operationNanos += operation;
        waitNanos += wait;
        if (wait >= LONG_WAIT_NANOS) {
            longWaits++;
            longWaitNanos += wait;
        }
    }

    /** Parallel operations timed. */
    public long operations() {
        return operations;
    }

    /** Time from the start of each operation to its end, summed. */
    public long operationNanos() {
        return operationNanos;
    }

    /**
     * Of {@link #operationNanos}, the calling thread's waits after it ran out of chunks to claim (not counting the
     * chunks it took over, {@link #takenOver}).
     */
    public long waitNanos() {
        return waitNanos;
    }

    /** Waits of {@link #LONG_WAIT_NANOS} or more. */
    public long longWaits() {
        return longWaits;
    }

    public long longWaitNanos() {
        return longWaitNanos;
    }

    /** The same passes' matrix products by kind, parallel or not ({@link ProductTimes}). */
    public ProductTimes products() {
        return products;
    }

    /** Chunks the calling thread took over from a worker that held them too long ({@link ComputePool.SeparableTask}). */
    public long takenOver() {
        return takenOver;
    }
}
