package io.moe4j.tensor;

import java.io.BufferedReader;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * How much of some memory the kernel backs with 2 MB pages right now, read from {@code /proc/self/smaps}: whether
 * a slow decode ran on weights in 4 KB pages (no 2 MB pages were free when they were copied) is worth knowing
 * before blaming the engine or the machine.
 */
public final class PageBacking {
    private static final Path SMAPS = Path.of("/proc/self/smaps");

    /**
     * {@code bytes} of memory mapped, {@code residentBytes} of them in memory (touched), {@code hugeBytes} of those in
     * 2 MB pages; the last two -1 where they could not be read.
     */
    public record Share(long bytes, long residentBytes, long hugeBytes) {
        /** The share of the resident memory in 2 MB pages, NaN where unknown or nothing is resident. */
        public double fraction() {
            return residentBytes > 0 && hugeBytes >= 0 ? Math.min(1.0, (double) hugeBytes / residentBytes) : Double.NaN;
        }
    }

    private PageBacking() {
    }

    /** The share of {@code segment}'s memory in 2 MB pages. */
    public static Share of(MemorySegment segment) {
        NavigableMap<Long, Long> range = new TreeMap<>();
        range.put(segment.address(), segment.address() + segment.byteSize());
        return of(range);
    }

    /**
     * The share of the address ranges {@code ranges} (start to end, not overlapping) in 2 MB pages: each mapping's
     * {@code Rss} and {@code AnonHugePages}, each up to the bytes the mapping shares with the ranges.
     */
    static Share of(NavigableMap<Long, Long> ranges) {
        long bytes = 0;
        for (Map.Entry<Long, Long> r : ranges.entrySet()) {
            bytes += r.getValue() - r.getKey();
        }
        if (bytes == 0 || !Files.isReadable(SMAPS)) {
            return bytes == 0 ? new Share(0, 0, 0) : new Share(bytes, -1, -1);
        }
        long resident = 0;
        long huge = 0;
        try (BufferedReader in = Files.newBufferedReader(SMAPS)) {
            long overlap = 0;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                long[] mapping = mappingOf(line);
                if (mapping != null) {
                    overlap = overlap(ranges, mapping[0], mapping[1]);
                } else if (overlap > 0 && line.startsWith("Rss:")) {
                    resident += Math.min(overlap, kilobytes(line) * 1024);
                } else if (overlap > 0 && line.startsWith("AnonHugePages:")) {
                    huge += Math.min(overlap, kilobytes(line) * 1024);
                }
            }
        } catch (IOException | RuntimeException e) {
            return new Share(bytes, -1, -1);
        }
        return new Share(bytes, resident, Math.min(huge, resident));
    }

    /** The number of a line such as {@code Rss:    2048 kB}. */
    private static long kilobytes(String line) {
        return Long.parseLong(line.substring(line.indexOf(':') + 1).replace("kB", "").trim());
    }

    /** The start and end of the mapping a header line of smaps names ({@code start-end perms ...}), else null. */
    private static long[] mappingOf(String line) {
        int dash = line.indexOf('-');
        int space = line.indexOf(' ');
        if (dash <= 0 || space <= dash) {
            return null;
        }
        for (int i = 0; i < dash; i++) {
            if (Character.digit(line.charAt(i), 16) < 0) {
                return null;
            }
        }
        try {
            return new long[] {Long.parseUnsignedLong(line, 0, dash, 16), Long.parseUnsignedLong(line, dash + 1, space, 16)};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Bytes of {@code [start, end)} that lie in the ranges. */
    private static long overlap(NavigableMap<Long, Long> ranges, long start, long end) {
        long shared = 0;
        Long from = ranges.floorKey(start); // the range holding start, if any; later ones follow
        for (Map.Entry<Long, Long> r : (from == null ? ranges : ranges.tailMap(from, true)).entrySet()) {
            if (r.getKey() >= end) {
                break;
            }
            shared += Math.max(0, Math.min(end, r.getValue()) - Math.max(start, r.getKey()));
        }
        return shared;
    }
}
