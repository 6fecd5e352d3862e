package io.moe4j.gguf;

import static io.moe4j.gguf.Rejections.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hand-made bad files: each must be refused with a GgufException whose one-line message names the problem,
 * and absurd counts and lengths must be refused before anything is allocated for them.
 */
class GgufHostileFileTest {
    private static final int F32 = GgmlType.F32.id();
    /** Heap a refused open may allocate; an array sized by any absurd count below would take gigabytes. */
    private static final long ALLOCATION_BUDGET = 16L << 20;

    @TempDir
    Path dir;

    @Test
    void emptyFile() {
        assertRejected(dir, new byte[0], "truncated at offset 0", "magic");
    }

    @Test
    void wrongMagic() {
        assertRejected(dir, "GGML\3\0\0\0".getBytes(), "bad magic", "47 47 4d 4c");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 4, 0xFFFF_FFFF})
    void unsupportedVersions(int version) {
        assertRejected(dir, RawGguf.header(version, 0, 0).bytes(), "unsupported GGUF version " + Integer.toUnsignedString(version));
    }

    @Test
    void bigEndianFilesAreRecognised() {
        assertRejected(dir, RawGguf.header(0x0300_0000, 0, 0).bytes(), "unsupported GGUF version", "big-endian");
    }

    @ParameterizedTest
    @ValueSource(longs = {1L << 62, -1L, Integer.MAX_VALUE, 1L << 20})
    void absurdTensorCountsAreRefusedBeforeAllocating(long count) {
        assertRejectedCheaply(RawGguf.header(count, 0).bytes(), "tensor count " + Long.toUnsignedString(count), "truncated or corrupt");
    }

    @ParameterizedTest
    @ValueSource(longs = {1L << 62, -1L, Integer.MAX_VALUE, 1L << 20})
    void absurdMetadataCountsAreRefusedBeforeAllocating(long count) {
        assertRejectedCheaply(RawGguf.header(0, count).bytes(), "metadata count " + Long.toUnsignedString(count));
    }

    @ParameterizedTest
    @ValueSource(longs = {1L << 40, -1L, Integer.MAX_VALUE - 8, 100})
    void absurdKeyLengths(long length) {
        byte[] bytes = RawGguf.header(0, 1).u64(length).zeros(16).bytes();
        assertRejectedCheaply(bytes, "metadata entry #0", "string length " + Long.toUnsignedString(length));
    }

    @ParameterizedTest
    @ValueSource(longs = {1L << 40, -1L, Integer.MAX_VALUE - 8})
    void absurdStringValueLengths(long length) {
        byte[] bytes = RawGguf.header(0, 1).entry("general.name", GgufValueType.STRING).u64(length).bytes();
        assertRejectedCheaply(bytes, "'general.name'", "string length " + Long.toUnsignedString(length));
    }

    @ParameterizedTest
    @ValueSource(longs = {1L << 40, -1L, Integer.MAX_VALUE - 8, 1L << 20})
    void absurdArrayLengths(long length) {
        for (GgufValueType elementType : GgufValueType.values()) {
            byte[] bytes = RawGguf.header(0, 1).entry("tokens", GgufValueType.ARRAY).u32(elementType.id()).u64(length).bytes();
            assertRejectedCheaply(bytes, "'tokens'", "array length " + Long.toUnsignedString(length));
        }
    }

    @Test
    void lengthsBeyondAJavaArrayInAFileLargeEnoughAreRefusedToo() throws Exception {
        // A sparse file of 2^32 bytes really could hold a string of 2^31 bytes, which no Java array can.
        Path file = dir.resolve("huge.gguf");
        Files.write(file, RawGguf.header(0, 1).entry("k", GgufValueType.STRING).u64(1L << 31).bytes());
        try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[1]), (1L << 32) - 1);
        }
        assertRejected(file, "'k'", "string length 2147483648 is more than this reader supports");
    }

    @ParameterizedTest
    @ValueSource(ints = {13, 255, -1})
    void unknownValueTypes(int typeId) {
        byte[] bytes = RawGguf.header(0, 1).string("general.name").u32(typeId).u64(0).bytes();
        assertRejected(dir, bytes, "'general.name'", "unknown value type " + Integer.toUnsignedString(typeId));
    }

    @Test
    void unknownArrayElementType() {
        byte[] bytes = RawGguf.header(0, 1).entry("a", GgufValueType.ARRAY).u32(13).u64(0).bytes();
        assertRejected(dir, bytes, "'a'", "unknown element type 13");
    }

    @Test
    void arraysNestedTooDeep() {
        RawGguf raw = RawGguf.header(0, 1).entry("deep", GgufValueType.ARRAY);
        for (int i = 0; i < SampleGguf.MAX_NESTED_ARRAYS; i++) {
            raw.u32(GgufValueType.ARRAY.id()).u64(1);
        }
        raw.u32(GgufValueType.UINT8.id()).u64(1).u8(7);
        assertRejected(dir, raw.bytes(), "'deep'", "nested deeper than 8 levels");
    }

    @Test
    void duplicateKeys() {
        byte[] bytes = RawGguf.header(0, 2).entryU32("general.alignment", 32).entryU32("general.alignment", 64).bytes();
        assertRejected(dir, bytes, "duplicate metadata key 'general.alignment'");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3, 48, 1 << 21, -32})
    void badAlignmentValues(int alignment) {
        byte[] bytes = RawGguf.header(0, 1).entryU32(GgufFile.ALIGNMENT_KEY, alignment).bytes();
        assertRejected(dir, bytes, GgufFile.ALIGNMENT_KEY + " = " + Integer.toUnsignedString(alignment), "power of two");
    }

    @Test
    void nonIntegerAlignment() {
        byte[] asString = RawGguf.header(0, 1).entry(GgufFile.ALIGNMENT_KEY, GgufValueType.STRING).string("32").bytes();
        assertRejected(dir, asString, GgufFile.ALIGNMENT_KEY + " is STRING, expected an integer");
        byte[] asFloat = RawGguf.header(0, 1).entry(GgufFile.ALIGNMENT_KEY, GgufValueType.FLOAT32).u32(Float.floatToIntBits(32f)).bytes();
        assertRejected(dir, asFloat, GgufFile.ALIGNMENT_KEY + " is FLOAT32");
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 5, 99, -1})
    void unknownTensorTypes(int typeId) {
        assertRejected(dir, oneTensor(new long[] {32}, typeId, 0, 256), "tensor 'w'", "unknown type id " + Integer.toUnsignedString(typeId));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 5, -1})
    void badRanks(int rank) {
        byte[] bytes = RawGguf.header(1, 0).string("w").u32(rank).u64(1).u64(1).u64(1).u64(1).u64(1).u32(F32).u64(0).bytes();
        assertRejected(dir, bytes, "tensor 'w'", Integer.toUnsignedString(rank) + " dimensions (1 to 4 allowed)");
    }

    @Test
    void badDimensions() {
        assertRejected(dir, oneTensor(new long[] {4, 0}, F32, 0, 64), "tensor 'w'", "dimension 1 = 0");
        assertRejected(dir, oneTensor(new long[] {-1}, F32, 0, 64), "tensor 'w'", "dimension 0 = 18446744073709551615");
        assertRejected(dir, oneTensor(new long[] {1L << 21, 1L << 21, 1L << 21}, F32, 0, 64), "more elements than fit in 64 bits");
        assertRejected(dir, oneTensor(new long[] {1L << 31, 1L << 31}, F32, 0, 64), "more than 2^63 bytes");
    }

    @Test
    void rowLengthNotAMultipleOfTheBlockSize() {
        assertRejected(dir, oneTensor(new long[] {48, 2}, GgmlType.Q4_K.id(), 0, 1024), "tensor 'w'", "row length 48", "Q4_K block size 256");
    }

    @Test
    void tensorOffsets() {
        assertRejected(dir, oneTensor(new long[] {8}, F32, 1L << 40, 64), "tensor 'w'", "past the end of the file");
        assertRejected(dir, oneTensor(new long[] {8}, F32, Long.MIN_VALUE, 64), "tensor 'w'", "data offset 9223372036854775808", "past the end");
        assertRejected(dir, oneTensor(new long[] {8}, F32, 4, 64), "tensor 'w'", "data offset 4", "not a multiple of the alignment 32");
    }

    @Test
    void tensorDataPastTheEnd() {
        assertRejected(dir, oneTensor(new long[] {8}, F32, 0, 31), "tensor 'w'", "32 bytes at data offset 0", "past the end of the file");
        assertRejected(dir, oneTensor(new long[] {8}, F32, 32, 63), "tensor 'w'", "past the end of the file");
    }

    @Test
    void duplicateTensorNames() {
        byte[] bytes = RawGguf.header(2, 0)
                .tensorInfo("w", new long[] {8}, F32, 0)
                .tensorInfo("w", new long[] {8}, F32, 32)
                .padTo(32).zeros(64).bytes();
        assertRejected(dir, bytes, "duplicate tensor name 'w'");
    }

    @Test
    void namesInMessagesAreEscapedAndShortened() {
        String key = "evil\nkey\r\u2028" + "x".repeat(1_000_000);
        byte[] bytes = RawGguf.header(0, 1).string(key).u32(99).bytes();
        GgufException e = assertRejected(dir, bytes, "'evil\\u000akey\\u000d\\u2028xxx", "(1000010 chars)", "unknown value type 99");
        assertThat(e.getMessage()).hasSizeLessThan(400);
    }

    @Test
    void directoriesMissingFilesAndDevicesAreNotGgufFiles() {
        assertRejected(dir, "is a directory");
        assertRejected(dir.resolve("missing.gguf"), "no such file");
        Path devNull = Path.of("/dev/null");
        if (Files.exists(devNull)) {
            assertRejected(devNull, "not a regular file");
        }
    }

    /** A file with one tensor 'w' of this shape, type and offset, and {@code dataBytes} bytes of data section. */
    private static byte[] oneTensor(long[] shape, int typeId, long offset, int dataBytes) {
        return RawGguf.header(1, 0).tensorInfo("w", shape, typeId, offset).padTo(32).zeros(dataBytes).bytes();
    }

    private void assertRejectedCheaply(byte[] bytes, String... fragments) {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        assertRejected(dir, bytes, fragments);
        assertThat(threads.getCurrentThreadAllocatedBytes() - before).as("bytes allocated while refusing the file").isLessThan(ALLOCATION_BUDGET);
    }
}
