package io.moe4j.tensor;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link ComputePool#forRange}: every item exactly once, in chunks that respect the minimum and the alignment. */
class ComputePoolTest {

    /** A timed pool counts its parallel operations (not those small enough to run on the caller) and their waits. */
    @Test
    void timesItsParallelOperationsWhenAsked() {
        try (ComputePool pool = new ComputePool(2)) {
            OperationTimes times = new OperationTimes();
            pool.timeOperations(times);
            for (int i = 0; i < 10; i++) {
                pool.forRange(64, 1, (start, end) -> {
                    long until = System.nanoTime() + 20_000;
                    while (System.nanoTime() < until) {
                        Thread.onSpinWait();
                    }
                });
            }
            pool.forRange(4, 4, (start, end) -> { });
            pool.timeOperations(null);
            pool.forRange(64, 1, (start, end) -> { });
            assertThat(times.operations()).isEqualTo(10);
            assertThat(times.operationNanos()).isGreaterThanOrEqualTo(10 * 20_000L);
            assertThat(times.waitNanos()).isBetween(0L, times.operationNanos());
            assertThat(times.longWaitNanos()).isBetween(0L, times.waitNanos());
        }
    }

    /**
     * A worker that stalls inside its chunk of separable work (here: blocked until released; in practice, a thread
     * that lost its CPU) does not hold the operation up: the calling thread runs that chunk itself, and the worker's
     * results, when it comes back, are not written.
     */
    @Test
    void theCallerTakesOverTheChunkOfAStalledWorkerAndItsLateResultsAreDropped() throws InterruptedException {
        try (ComputePool pool = new ComputePool(2)) {
            int n = 64;
            AtomicIntegerArray written = new AtomicIntegerArray(n);
            CountDownLatch workerStarted = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicBoolean workerDone = new AtomicBoolean();
            Thread caller = Thread.currentThread();
            ComputePool.SeparableTask task = new ComputePool.SeparableTask() {
                @Override
                public void run(int start, int end) {
                    if (start == 0) {
                        // the caller's first chunk: let the worker claim one before going on
                        await(workerStarted);
                    }
                    for (int i = start; i < end; i++) {
                        written.incrementAndGet(i);
                    }
                }

                @Override
                public void computeAside(int start, int end) {
                    assertThat(Thread.currentThread()).isNotSameAs(caller);
                    workerStarted.countDown();
                    await(release);
                    workerDone.set(true);
                }

                @Override
                public void writeAside(int start, int end) {
                    for (int i = start; i < end; i++) {
                        written.addAndGet(i, 100);
                    }
                }
            };
            OperationTimes times = new OperationTimes();
            pool.timeOperations(times);
            pool.forRange(n, 1, task);
            assertThat(times.takenOver()).isEqualTo(1);
            assertThat(pool.computingAside(task)).as("the stuck worker still reads the task's inputs").isTrue();
            // operations go on while the worker is still stuck in the old one, which it must not claim work in
            for (int op = 0; op < 3; op++) {
                AtomicIntegerArray ran = new AtomicIntegerArray(n);
                pool.forRange(n, 1, (start, end) -> {
                    for (int i = start; i < end; i++) {
                        ran.incrementAndGet(i);
                    }
                });
                for (int i = 0; i < n; i++) {
                    assertThat(ran.get(i)).as("operation %d, item %d", op, i).isEqualTo(1);
                }
            }
            release.countDown();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!workerDone.get() && System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            assertThat(workerDone).isTrue();
            Thread.sleep(100);
            assertThat(pool.computingAside(task)).isFalse();
            for (int i = 0; i < n; i++) {
                assertThat(written.get(i)).as("item %d", i).isEqualTo(1);
            }
            // and the pool goes on: the worker takes part in the next operations
            Set<Thread> runners = ConcurrentHashMap.newKeySet();
            AtomicInteger items = new AtomicInteger();
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (runners.size() < 2 && System.nanoTime() < giveUp) {
                items.set(0);
                pool.forRange(n, 1, (start, end) -> {
                    runners.add(Thread.currentThread());
                    items.addAndGet(end - start);
                    spin(20_000);
                });
                assertThat(items).hasValue(n);
            }
            assertThat(runners).hasSize(2);
        }
    }

    private static void spin(long nanos) {
        long until = System.nanoTime() + nanos;
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Each thread starts on a region of its own, the calling thread at the first item and the worker halfway (at a
     * multiple of the alignment), and goes on through its region chunk after chunk: weights read as one stream per
     * thread, which the hardware prefetcher follows. (Which later chunks a thread gets depends on timing; that every
     * item runs once is tested below.)
     */
    @Test
    void eachThreadReadsItsOwnRegionFromItsStart() {
        try (ComputePool pool = new ComputePool(2)) {
            int n = 1000;
            int align = 8;
            Thread caller = Thread.currentThread();
            List<int[]> callerChunks = Collections.synchronizedList(new ArrayList<>());
            List<int[]> workerChunks = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch callerStarted = new CountDownLatch(1);
            CountDownLatch workerStarted = new CountDownLatch(1);
            pool.forRange(n, 16, align, (start, end) -> {
                // each thread holds its first chunk until the other has claimed one: neither can then have taken over
                // the other's region first (a worker that started first, unheld, once ran through all 1000 items
                // before the calling thread claimed any, on a loaded 2-core machine)
                if (Thread.currentThread() == caller) {
                    callerChunks.add(new int[] {start, end});
                    callerStarted.countDown();
                    await(workerStarted);
                } else {
                    workerChunks.add(new int[] {start, end});
                    workerStarted.countDown();
                    await(callerStarted);
                }
            });
            // two regions of 1000 items, the first rounded up to a multiple of 8
            assertThat(callerChunks.getFirst()[0]).isZero();
            assertThat(workerChunks.getFirst()[0]).isEqualTo(504);
        }
    }

    @Test
    void everyItemIsRunOnceInAlignedChunksOfAtLeastTheMinimum() {
        for (int threads : new int[] {1, 2, 3}) {
            try (ComputePool pool = new ComputePool(threads)) {
                for (int n : new int[] {1, 63, 64, 65, 1000, 4096, 50_304}) {
                    for (int align : new int[] {1, 64}) {
                        int minChunk = 16;
                        AtomicIntegerArray seen = new AtomicIntegerArray(n);
                        AtomicInteger badChunks = new AtomicInteger();
                        pool.forRange(n, minChunk, align, (start, end) -> {
                            boolean last = end == n;
                            if (start % align != 0 || (!last && (end - start < minChunk || end % align != 0))) {
                                badChunks.incrementAndGet();
                            }
                            for (int i = start; i < end; i++) {
                                seen.incrementAndGet(i);
                            }
                        });
                        assertThat(badChunks.get()).as("%d threads, %d items, align %d", threads, n, align).isZero();
                        for (int i = 0; i < n; i++) {
                            assertThat(seen.get(i)).as("item %d of %d, %d threads", i, n, threads).isEqualTo(1);
                        }
                    }
                }
            }
        }
    }

    @Test
    void aFailingChunkFailsTheOperationAndThePoolGoesOn() {
        try (ComputePool pool = new ComputePool(2)) {
            assertThatThrownBy(() -> pool.forRange(10_000, 1, (start, end) -> {
                if (start <= 5_000 && 5_000 < end) {
                    throw new IllegalStateException("chunk at 5000");
                }
            })).isInstanceOf(IllegalStateException.class).hasMessage("chunk at 5000");
            AtomicInteger sum = new AtomicInteger();
            pool.forRange(10_000, 1, (start, end) -> sum.addAndGet(end - start));
            assertThat(sum.get()).isEqualTo(10_000);
        }
    }
}
