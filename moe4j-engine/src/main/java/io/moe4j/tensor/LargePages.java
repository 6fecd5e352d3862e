package io.moe4j.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Locale;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Native memory for weights the engine copies (the row-grouped copies of {@link InterleavedRows}), in 2 MB pages
 * where Linux gives them on request (transparent huge pages in {@code madvise} mode, the usual default), else in
 * zeroed memory from {@link Arena#ofAuto()}.
 *
 * <p>Why: decode reads each weight once per token, hundreds of MB of them, and in 4 KB pages every 4 KB of that
 * stream costs a TLB miss and a page walk, while the hardware prefetchers restart at each page. The memory is
 * mapped fresh with {@code mmap} and advised with {@code madvise(MADV_HUGEPAGE)} before it is first touched, so
 * the kernel backs it with 2 MB pages as it faults in (Java's own allocation zeroes memory as it allocates it,
 * which faults it in 4 KB pages first). Small copies share one mapping (a slab), so that a model's many small
 * matrices fill whole 2 MB pages; a slab is unmapped when the last copy in it is no longer reachable.
 */
public final class LargePages {
    static final long HUGE_PAGE = 2L << 20;
    /** Copies up to a quarter of this share slabs; larger ones get a mapping of their own. */
    static final long SLAB = 32L << 20;
    private static final long ALIGN = 64;
    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
    private static final int MADV_HUGEPAGE = 14;

    private static final MethodHandle MMAP;
    private static final MethodHandle MUNMAP;
    private static final MethodHandle MADVISE;

    static {
        MethodHandle mmap = null;
        MethodHandle munmap = null;
        MethodHandle madvise = null;
        if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux") && !Boolean.getBoolean("moe4j.smallPages")) {
            try {
                Linker linker = Linker.nativeLinker();
                SymbolLookup libc = linker.defaultLookup();
                mmap = linker.downcallHandle(libc.find("mmap").orElseThrow(), FunctionDescriptor.of(ValueLayout.ADDRESS,
                        ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
                munmap = linker.downcallHandle(libc.find("munmap").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
                madvise = linker.downcallHandle(libc.find("madvise").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
            } catch (RuntimeException e) {
                // no native access (a JVM without --enable-native-access that forbids it) or no libc symbols: plain allocation
                mmap = munmap = madvise = null;
            }
        }
        MMAP = mmap;
        MUNMAP = munmap;
        MADVISE = madvise;
    }

    private static MemorySegment slab;
    private static long slabUsed;
    /** The usable part of every live mapping, start to end. */
    private static final ConcurrentSkipListMap<Long, Long> MAPPED = new ConcurrentSkipListMap<>();

    private LargePages() {
    }

    /**
     * {@code bytes} of zeroed native memory, 64-byte aligned, freed when the returned segment (and every other
     * segment from the same slab) is no longer reachable.
     */
    public static MemorySegment allocate(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("need a positive size, got " + bytes);
        }
        if (MMAP == null) {
            return Arena.ofAuto().allocate(bytes, ALIGN);
        }
        if (bytes > SLAB / 4) {
            return allocate(bytes, Arena.ofAuto());
        }
        synchronized (LargePages.class) {
            if (slab == null || slabUsed + bytes > slab.byteSize()) {
                slab = map(SLAB, Arena.ofAuto());
                slabUsed = 0;
                if (slab == null) {
                    return Arena.ofAuto().allocate(bytes, ALIGN);
                }
            }
            MemorySegment piece = slab.asSlice(slabUsed, bytes);
            slabUsed = roundUp(slabUsed + bytes, ALIGN);
            return piece;
        }
    }

    /**
     * {@code bytes} of zeroed native memory, 64-byte aligned, in a mapping of its own that is unmapped when
     * {@code arena} closes (for memory that must go back at once, not when the collector finds it unreachable).
     */
    public static MemorySegment allocate(long bytes, Arena arena) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("need a positive size, got " + bytes);
        }
        MemorySegment own = MMAP == null ? null : map(roundUp(bytes, HUGE_PAGE), arena);
        return own == null ? arena.allocate(bytes, ALIGN) : own.asSlice(0, bytes);
    }

    /**
     * The memory mapped here and still in use (the weight copies, in whole slabs) and how much of it the kernel backs
     * with 2 MB pages now: where none were free when it was first touched, the kernel gave 4 KB pages instead.
     */
    public static PageBacking.Share mapped() {
        return PageBacking.of(mappedRanges());
    }

    /** The usable part of every live mapping, start to end (a copy). */
    static java.util.NavigableMap<Long, Long> mappedRanges() {
        return new java.util.TreeMap<>(MAPPED);
    }

    /** Whether copies get 2 MB pages where the kernel offers them (false: plain allocation). */
    public static boolean advised() {
        return MMAP != null;
    }

    /**
     * A fresh anonymous mapping of {@code bytes} (a multiple of the huge page), aligned to the huge page and advised
     * to use it, unmapped when {@code arena} closes (an automatic one: when unreachable); null if the kernel refuses it.
     */
    private static MemorySegment map(long bytes, Arena arena) {
        long mapped = bytes + HUGE_PAGE; // room to align the start
        try {
            MemorySegment start = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, mapped, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1, 0L);
            if (start.address() == -1L) {
                return null;
            }
            long address = start.address();
            long aligned = roundUp(address, HUGE_PAGE);
            MAPPED.put(aligned, aligned + bytes);
            MemorySegment whole = start.reinterpret(mapped, arena, w -> unmap(w, aligned));
            MemorySegment usable = whole.asSlice(aligned - address, bytes);
            int ignored = (int) MADVISE.invokeExact(usable, bytes, MADV_HUGEPAGE); // refused (THP off): 4 KB pages
            return usable;
        } catch (Throwable e) {
            return null;
        }
    }

    private static void unmap(MemorySegment whole, long usableStart) {
        MAPPED.remove(usableStart);
        try {
            int ignored = (int) MUNMAP.invokeExact(whole, whole.byteSize());
        } catch (Throwable e) {
            // nothing to do: the mapping stays until the process ends
        }
    }

    private static long roundUp(long value, long multiple) {
        return (value + multiple - 1) / multiple * multiple;
    }
}
