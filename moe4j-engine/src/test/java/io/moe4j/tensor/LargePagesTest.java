package io.moe4j.tensor;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link LargePages}: zeroed, aligned, separate pieces, and on Linux memory advised to use 2 MB pages. */
class LargePagesTest {
    private static final long[] SIZES = {1, 63, 64, 4096, 1_179_648, 5_000_001, LargePages.SLAB / 4, LargePages.SLAB / 4 + 1, 3 * LargePages.SLAB};

    @Test
    void piecesAreZeroedAlignedAndDoNotOverlap() {
        List<MemorySegment> pieces = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            for (long size : SIZES) {
                MemorySegment piece = LargePages.allocate(size);
                assertThat(piece.byteSize()).isEqualTo(size);
                assertThat(piece.address() % 64).as("alignment of %d bytes", size).isZero();
                assertThat(piece.asSlice(0, Math.min(size, 1 << 20)).mismatch(MemorySegment.ofArray(new byte[(int) Math.min(size, 1 << 20)])))
                        .as("zeroed").isEqualTo(-1);
                pieces.add(piece);
            }
        }
        // each piece's first and last bytes carry its index; any overlap overwrites another's
        for (int i = 0; i < pieces.size(); i++) {
            MemorySegment p = pieces.get(i);
            p.set(ValueLayout.JAVA_BYTE, 0, (byte) (i + 1));
            p.set(ValueLayout.JAVA_BYTE, p.byteSize() - 1, (byte) (i + 1));
        }
        for (int i = 0; i < pieces.size(); i++) {
            MemorySegment p = pieces.get(i);
            assertThat(p.get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) (i + 1));
            assertThat(p.get(ValueLayout.JAVA_BYTE, p.byteSize() - 1)).isEqualTo((byte) (i + 1));
        }
    }

    @Test
    void refusesSizesBelowOne() {
        assertThatThrownBy(() -> LargePages.allocate(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LargePages.allocate(-5)).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * The kernel's own record of the mapping: its VmFlags carry "hg" once madvise(MADV_HUGEPAGE) took, which it does
     * on any Linux built with transparent huge pages (the sysfs folder), whatever their mode.
     */
    @Test
    void onLinuxTheMemoryIsAdvisedToUseHugePages() throws IOException {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
            assertThat(LargePages.advised()).isFalse();
            return;
        }
        assertThat(LargePages.advised()).isTrue();
        if (!Files.isDirectory(Path.of("/sys/kernel/mm/transparent_hugepage"))) {
            return; // a kernel without them refuses the advice, and the memory stays in 4 KB pages
        }
        for (long size : new long[] {4096, 3 * LargePages.SLAB}) {
            MemorySegment piece = LargePages.allocate(size);
            assertThat(vmFlagsOf(piece.address())).as("VmFlags of the mapping of a %d-byte piece", size).contains("hg");
        }
    }

    /** Memory bound to an arena: zeroed, aligned, and on Linux its mapping gone once the arena closes. */
    @Test
    void memoryOfAnArenaGoesBackWhenItCloses() throws IOException {
        boolean linux = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");
        for (long size : new long[] {8, 4096, 5_000_001}) {
            long address;
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment piece = LargePages.allocate(size, arena);
                assertThat(piece.byteSize()).isEqualTo(size);
                assertThat(piece.address() % 64).isZero();
                assertThat(piece.mismatch(MemorySegment.ofArray(new byte[(int) size]))).as("zeroed").isEqualTo(-1);
                piece.fill((byte) 7);
                address = piece.address();
                if (linux) {
                    assertThat(mappingHolds(address)).as("mapped while the arena is open").isTrue();
                }
            }
            if (linux) {
                assertThat(mappingHolds(address)).as("a %d-byte piece's mapping after its arena closed", size).isFalse();
            }
        }
        assertThatThrownBy(() -> LargePages.allocate(0, Arena.ofAuto())).isInstanceOf(IllegalArgumentException.class);
    }

    private static boolean mappingHolds(long address) throws IOException {
        try {
            vmFlagsOf(address);
            return true;
        } catch (AssertionError e) {
            return false;
        }
    }

    /** The VmFlags line of the mapping in /proc/self/smaps that holds {@code address}. */
    private static List<String> vmFlagsOf(long address) throws IOException {
        boolean inside = false;
        for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
            int dash = line.indexOf('-');
            int space = line.indexOf(' ');
            if (dash > 0 && space > dash && line.substring(0, dash).matches("[0-9a-f]+")) {
                long start = Long.parseUnsignedLong(line.substring(0, dash), 16);
                long end = Long.parseUnsignedLong(line.substring(dash + 1, space), 16);
                inside = Long.compareUnsigned(address, start) >= 0 && Long.compareUnsigned(address, end) < 0;
            } else if (inside && line.startsWith("VmFlags:")) {
                return List.of(line.substring("VmFlags:".length()).trim().split("\\s+"));
            }
        }
        throw new AssertionError("no mapping holds address " + Long.toHexString(address));
    }
}
