package io.moe4j.gguf;

import static io.moe4j.gguf.Rejections.assertOneLineNaming;
import static io.moe4j.gguf.Rejections.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A valid small file, cut short at every offset or damaged at random, must either open and be fully usable
 * or be refused with a GgufException: never another exception, a hang or an out-of-memory error.
 */
class GgufCorruptionTest {
    private static final long[] INTERESTING_LONGS = {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, 1L << 31, 1L << 32, 1L << 62, 0xFFFF_FFFFL};

    @TempDir
    Path dir;
    private byte[] valid;
    private int tensorInfoStart;
    private int dataOffset;
    private long endOfLastTensor;

    @BeforeEach
    void writeValidFile() throws Exception {
        Path file = dir.resolve("valid.gguf");
        SampleGguf.small(42).write(file);
        valid = Files.readAllBytes(file);
        try (GgufFile f = GgufFile.open(file)) {
            dataOffset = (int) f.dataOffset();
            tensorInfoStart = indexOf(valid, f.tensors().getFirst().name()) - 8; // its name's length comes first
            GgufTensorInfo last = f.tensors().getLast();
            endOfLastTensor = dataOffset + last.offset() + last.byteSize();
        }
        assertThat(endOfLastTensor).as("the sample must end with padding").isLessThan(valid.length);
    }

    @Test
    @Timeout(120)
    void truncatedAtEveryOffsetIsRefusedUnlessOnlyPaddingIsMissing() throws Exception {
        Path file = dir.resolve("truncated.gguf");
        for (int length = 0; length < valid.length; length++) {
            Files.write(file, Arrays.copyOf(valid, length));
            if (length < endOfLastTensor) {
                String message = assertRejected(file).getMessage();
                assertThat(message).as("cut at %d", length).containsAnyOf("truncated", "past the end of the file");
            } else {
                // Padding after the last tensor holds nothing; llama.cpp accepts files without it too.
                try (GgufFile f = GgufFile.open(file)) {
                    assertThat(f.tensors()).hasSize(4);
                }
            }
        }
    }

    @Test
    @Timeout(120)
    void randomlyCorruptedFilesOpenOrGiveGgufException() throws Exception {
        Random random = new Random(20240607);
        Path file = dir.resolve("corrupt.gguf");
        int opened = 0;
        int refused = 0;
        for (int i = 0; i < 1000; i++) {
            byte[] bytes = valid.clone();
            int mutations = random.nextInt(3) == 0 ? 2 + random.nextInt(2) : 1;
            for (int m = 0; m < mutations; m++) {
                mutate(bytes, random);
            }
            Files.write(file, bytes);
            try (GgufFile f = GgufFile.open(file)) {
                useEverything(f);
                opened++;
            } catch (GgufException e) {
                assertOneLineNaming(e.getMessage(), file);
                refused++;
            } catch (Throwable t) {
                fail("mutation " + i + " gave " + t + " instead of a GgufException", t);
            }
        }
        // Both outcomes must occur, or the mutations are not exercising the reader.
        assertThat(opened).isGreaterThan(20);
        assertThat(refused).isGreaterThan(100);
    }

    /**
     * Damages the metadata or the tensor infos (a small part of the header, so chosen as often as the metadata),
     * sometimes anything including the data.
     */
    private void mutate(byte[] bytes, Random random) {
        int at = switch (random.nextInt(5)) {
            case 0, 1 -> random.nextInt(tensorInfoStart);
            case 2, 3 -> tensorInfoStart + random.nextInt(dataOffset - tensorInfoStart);
            default -> random.nextInt(bytes.length);
        };
        switch (random.nextInt(4)) {
            case 0 -> bytes[at] = (byte) random.nextInt(256);
            case 1 -> bytes[at] ^= (byte) (1 << random.nextInt(8));
            case 2 -> bytes[at] = (byte) (random.nextBoolean() ? 0 : 0xFF);
            default -> {
                if (at + 8 <= bytes.length) {
                    long value = INTERESTING_LONGS[random.nextInt(INTERESTING_LONGS.length)];
                    ByteBuffer.wrap(bytes, at, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(value);
                }
            }
        }
    }

    private static int indexOf(byte[] haystack, String needle) {
        byte[] n = needle.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i + n.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + n.length, n, 0, n.length)) {
                return i;
            }
        }
        throw new AssertionError(needle + " not found");
    }

    /** Touches every value and every tensor byte, so that nothing bad can hide until later use. */
    private static void useEverything(GgufFile f) {
        f.metadata().asMap().forEach((k, v) -> assertThat(v.toString()).isNotNull());
        for (GgufTensorInfo t : f.tensors()) {
            assertThat(f.tensorData(t).toArray(ValueLayout.JAVA_BYTE)).hasSize((int) t.byteSize());
            assertThat(f.findTensor(t.name())).contains(t);
        }
    }
}
