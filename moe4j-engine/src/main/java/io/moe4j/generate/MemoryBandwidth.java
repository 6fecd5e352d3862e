package io.moe4j.generate;

import io.moe4j.tensor.ComputePool;
import io.moe4j.tensor.LargePages;
import io.moe4j.tensor.PageBacking;

import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How fast this machine's threads read memory right now: the limit of decode, which reads every weight once per
 * token. {@code bench} reports decode's weight bandwidth as a share of it, which stays comparable on machines
 * whose speed drifts (shared VMs) where absolute tokens per second do not.
 *
 * <p>Reads a buffer much larger than the caches with the compute pool's threads, each a contiguous part, in
 * vector loads folded together with XOR (so the loads cannot be skipped), and reports the median of several
 * passes (single passes on a shared VM scatter by half either way).
 */
public final class MemoryBandwidth {
    private static final VectorSpecies<Long> LONGS = LongVector.SPECIES_PREFERRED;
    /** The exact class of LONGS' vectors, to keep the loop's accumulator free of boxing (see io.moe4j.tensor.InterleavedRows). */
    private static final Class<? extends LongVector> LONG_VECTOR = LongVector.zero(LONGS).getClass();
    private static final int PAGE = 1 << 16;

    /**
     * The median pass's speed, the XOR of every 64-bit word read (the same for every pass), and the share of the
     * buffer the kernel backed with 2 MB pages (NaN where unknown): where none were free, it reads 4 KB pages, slower.
     */
    public record Result(double gigabytesPerSecond, long checksum, double hugePageShare) {
    }

    private MemoryBandwidth() {
    }

    /** Reads {@code bytes} (a positive multiple of 8) {@code passes} times with {@code pool}'s threads. */
    public static Result measure(ComputePool pool, long bytes, int passes) {
        if (bytes <= 0 || bytes % Long.BYTES != 0 || passes < 1) {
            throw new IllegalArgumentException("need a positive multiple of 8 bytes and at least one pass, got " + bytes + " and " + passes);
        }
        try (Arena arena = Arena.ofShared()) {
            // the kind of memory the engine's weight copies live in (2 MB pages where the kernel gives them)
            MemorySegment buffer = LargePages.allocate(bytes, arena);
            for (long i = 0; i < bytes; i += Long.BYTES) {
                buffer.set(ValueLayout.JAVA_LONG_UNALIGNED, i, i * 0x9E3779B97F4A7C15L);
            }
            double hugePageShare = PageBacking.of(buffer).fraction();
            int pages = (int) ((bytes + PAGE - 1) / PAGE);
            double[] speeds = new double[passes];
            long checksum = 0;
            for (int p = 0; p < passes; p++) {
                AtomicLong xor = new AtomicLong();
                long start = System.nanoTime();
                pool.forRange(pages, 1, (from, to) -> {
                    long value = xorOf(buffer, (long) from * PAGE, Math.min(bytes, (long) to * PAGE));
                    xor.accumulateAndGet(value, (a, b) -> a ^ b);
                });
                double seconds = (System.nanoTime() - start) / 1e9;
                speeds[p] = bytes / seconds / 1e9;
                checksum = xor.get();
            }
            return new Result(Benchmark.median(speeds), checksum, hugePageShare);
        }
    }

    private static long xorOf(MemorySegment buffer, long from, long to) {
        int step = LONGS.vectorByteSize();
        LongVector acc = LongVector.zero(LONGS);
        long at = from;
        for (; at + step <= to; at += step) {
            acc = LONG_VECTOR.cast(acc.lanewise(VectorOperators.XOR, LongVector.fromMemorySegment(LONGS, buffer, at, ByteOrder.nativeOrder())));
        }
        long tail = acc.reduceLanes(VectorOperators.XOR);
        for (; at < to; at += Long.BYTES) {
            tail ^= buffer.get(ValueLayout.JAVA_LONG_UNALIGNED, at);
        }
        return tail;
    }
}
