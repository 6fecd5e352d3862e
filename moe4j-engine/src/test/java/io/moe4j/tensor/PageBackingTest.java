package io.moe4j.tensor;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.NavigableMap;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link PageBacking} and {@link LargePages#mapped()}: resident and 2 MB-page bytes of memory the test maps itself. */
class PageBackingTest {
    private static final boolean SMAPS = Files.isReadable(Path.of("/proc/self/smaps"));

    @Test
    void residentBytesFollowWhatIsTouched() {
        long bytes = 4 * LargePages.HUGE_PAGE;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = LargePages.allocate(bytes, arena);
            PageBacking.Share untouched = PageBacking.of(memory);
            assertThat(untouched.bytes()).isEqualTo(bytes);
            if (!SMAPS) {
                assertThat(untouched.residentBytes()).isEqualTo(-1);
                return;
            }
            assertThat(untouched.residentBytes()).as("mapped, never touched").isZero();
            assertThat(untouched.fraction()).isNaN();

            memory.asSlice(0, bytes / 2).fill((byte) 1);
            PageBacking.Share half = PageBacking.of(memory);
            assertThat(half.residentBytes()).as("half touched").isEqualTo(bytes / 2);
            assertThat(half.hugeBytes()).isBetween(0L, half.residentBytes());

            memory.fill((byte) 2);
            PageBacking.Share whole = PageBacking.of(memory);
            assertThat(whole.residentBytes()).isEqualTo(bytes);
            assertThat(whole.hugeBytes()).isBetween(0L, bytes);
            assertThat(whole.hugeBytes() % LargePages.HUGE_PAGE).as("whole 2 MB pages").isZero();
        }
    }

    @Test
    void severalRangesAddUpAndUnmappedAddressesHoldNothing() {
        if (!SMAPS) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = LargePages.allocate(3 * LargePages.HUGE_PAGE, arena);
            MemorySegment b = LargePages.allocate(LargePages.HUGE_PAGE, arena);
            a.fill((byte) 1);
            b.fill((byte) 1);
            NavigableMap<Long, Long> both = new TreeMap<>();
            both.put(a.address(), a.address() + a.byteSize());
            both.put(b.address(), b.address() + b.byteSize());
            PageBacking.Share together = PageBacking.of(both);
            assertThat(together.bytes()).isEqualTo(a.byteSize() + b.byteSize());
            assertThat(together.residentBytes()).isEqualTo(PageBacking.of(a).residentBytes() + PageBacking.of(b).residentBytes());

            NavigableMap<Long, Long> nothing = new TreeMap<>();
            nothing.put(4096L, 8192L); // the first pages of the address space are never mapped
            assertThat(PageBacking.of(nothing).residentBytes()).isZero();
        }
    }

    @Test
    void mappedMemoryCountsWhileItsArenaIsOpen() {
        if (!LargePages.advised() || !SMAPS) {
            return;
        }
        long bytes = 2 * LargePages.HUGE_PAGE;
        long address;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = LargePages.allocate(bytes, arena);
            memory.fill((byte) 3);
            address = memory.address();
            assertThat(LargePages.mappedRanges()).containsEntry(address, address + bytes);
            assertThat(LargePages.mapped().residentBytes()).isGreaterThanOrEqualTo(bytes);
        }
        assertThat(LargePages.mappedRanges()).doesNotContainKey(address);
    }
}
