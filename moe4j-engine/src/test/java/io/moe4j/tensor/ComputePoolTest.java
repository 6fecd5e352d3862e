package io.moe4j.tensor;

import org.junit.jupiter.api.Test;

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
