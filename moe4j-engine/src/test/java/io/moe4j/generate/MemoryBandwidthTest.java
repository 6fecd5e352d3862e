package io.moe4j.generate;

import io.moe4j.tensor.ComputePool;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every word of the buffer is read, however it is split among threads (the checksum against a scalar XOR). */
class MemoryBandwidthTest {

    private static long expectedChecksum(long bytes) {
        long x = 0;
        for (long i = 0; i < bytes; i += Long.BYTES) {
            x ^= i * 0x9E3779B97F4A7C15L;
        }
        return x;
    }

    @Test
    void readsEveryWordOnOneOrSeveralThreads() {
        // whole 64 KB pages, a partial last page, and a length off the vector width
        long[] sizes = {8, 72, (1 << 16) * 3L, (1 << 16) * 5L + 24, (1 << 20) + 8};
        for (int threads : new int[] {1, 3}) {
            try (ComputePool pool = new ComputePool(threads)) {
                for (long bytes : sizes) {
                    MemoryBandwidth.Result r = MemoryBandwidth.measure(pool, bytes, 2);
                    assertThat(r.checksum()).as("%d bytes, %d threads", bytes, threads).isEqualTo(expectedChecksum(bytes));
                    assertThat(r.gigabytesPerSecond()).isPositive().isFinite();
                }
            }
        }
    }

    @Test
    void rejectsSizesThatAreNotWholeWords() {
        try (ComputePool pool = new ComputePool(1)) {
            assertThatThrownBy(() -> MemoryBandwidth.measure(pool, 12, 1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> MemoryBandwidth.measure(pool, 0, 1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> MemoryBandwidth.measure(pool, 64, 0)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
