package io.moe4j.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SequencedMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What GgufWriter writes, GgufFile reads back unchanged: every value type, tensor layout and byte. */
class GgufWriterRoundTripTest {
    @TempDir
    Path dir;

    @Test
    void everyMetadataValueTypeSurvivesInOrder() {
        SequencedMap<String, GgufValue> expected = SampleGguf.everyValueType();
        GgufWriter w = new GgufWriter();
        expected.forEach(w::putMetadata);
        Path file = dir.resolve("values.gguf");
        w.write(file);

        try (GgufFile f = GgufFile.open(file)) {
            assertThat(f.version()).isEqualTo(3);
            assertThat(f.tensors()).isEmpty();
            assertThat(f.metadata().asMap().sequencedKeySet()).containsExactlyElementsOf(expected.sequencedKeySet());
            expected.forEach((key, value) -> assertThat(f.metadata().get(key)).as(key).contains(value));
        }
    }

    @Test
    void unsignedExtremesAndBitPatternsAreExact() {
        GgufWriter w = new GgufWriter();
        SampleGguf.everyValueType().forEach(w::putMetadata);
        Path file = dir.resolve("extremes.gguf");
        w.write(file);

        try (GgufFile f = GgufFile.open(file)) {
            GgufMetadata md = f.metadata();
            assertThat(md.getLong("uint8.max")).isEqualTo(255);
            assertThat(md.getLong("uint16.max")).isEqualTo(65535);
            assertThat(md.getLong("uint32.max")).isEqualTo(4294967295L);
            assertThat(Long.toUnsignedString(md.getLong("uint64.max"))).isEqualTo("18446744073709551615");
            assertThat(md.getLong("int8.min")).isEqualTo(-128);
            assertThat(Float.floatToRawIntBits(md.getFloat("float32.negative_zero"))).isEqualTo(0x8000_0000);
            assertThat(md.getFloat("float32.nan")).isNaN();
            assertThat(md.getString("string.non_ascii")).isEqualTo("héllo wörld, 日本語, emoji \uD83D\uDE42, NUL \u0000 inside");
            assertThat(md.getLongArray("array.UINT64")).containsExactly(0, 0, 1, -1L);
            assertThat(md.getStringArray("array.STRING")).containsExactly("", "Ġthe", "日本", "\n");
        }
    }

    @Test
    void replacingAKeyKeepsItsPosition() {
        GgufWriter w = new GgufWriter()
                .putMetadata("a", GgufValue.ofString("first"))
                .putMetadata("b", GgufValue.ofUint32(1))
                .putMetadata("a", GgufValue.ofFloat32(2f));
        Path file = dir.resolve("replaced.gguf");
        w.write(file);

        try (GgufFile f = GgufFile.open(file)) {
            assertThat(f.metadata().asMap().sequencedKeySet()).containsExactly("a", "b");
            assertThat(f.metadata().getFloat("a")).isEqualTo(2f);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 32, 64, 4096})
    void tensorsOfEveryRankAndSeveralTypesKeepTheirBytes(int alignment) {
        Random random = new Random(alignment);
        GgufWriter w = new GgufWriter();
        w.putMetadata("general.architecture", GgufValue.ofString("test"));
        if (alignment != GgufFile.DEFAULT_ALIGNMENT) {
            w.putMetadata(GgufFile.ALIGNMENT_KEY, GgufValue.ofUint32(alignment));
        }
        List<byte[]> data = new ArrayList<>();
        Object[][] specs = {
            {"rank1.f32", new long[] {7}, GgmlType.F32},
            {"rank2.f16", new long[] {3, 5}, GgmlType.F16},
            {"rank2.q4_0", new long[] {64, 3}, GgmlType.Q4_0},
            {"rank3.q8_0", new long[] {32, 2, 3}, GgmlType.Q8_0},
            {"rank3.q4_k", new long[] {256, 2, 2}, GgmlType.Q4_K},
            {"rank4.q6_k", new long[] {256, 1, 2, 2}, GgmlType.Q6_K},
            {"rank4.bf16", new long[] {2, 3, 1, 5}, GgmlType.BF16},
            {"rank1.i8", new long[] {3}, GgmlType.I8},
        };
        for (Object[] spec : specs) {
            byte[] bytes = SampleGguf.randomData(random, (long[]) spec[1], (GgmlType) spec[2]);
            data.add(bytes);
            w.addTensor((String) spec[0], (long[]) spec[1], (GgmlType) spec[2], bytes);
        }
        Path file = dir.resolve("tensors.gguf");
        w.write(file);

        try (GgufFile f = GgufFile.open(file)) {
            assertThat(f.alignment()).isEqualTo(alignment);
            assertThat(f.dataOffset() % alignment).isZero();
            assertThat(f.tensors()).containsExactlyElementsOf(w.tensors());
            for (int i = 0; i < specs.length; i++) {
                GgufTensorInfo t = f.tensors().get(i);
                assertThat(t.offset() % alignment).as(t.name()).isZero();
                assertThat(t.shape()).isEqualTo((long[]) specs[i][1]);
                assertThat(f.tensorData(t).toArray(ValueLayout.JAVA_BYTE)).as(t.name()).isEqualTo(data.get(i));
            }
            GgufTensorInfo last = f.tensors().getLast();
            assertThat(f.fileSize()).isEqualTo(f.dataOffset() + GgufFormat.alignUp(last.offset() + last.byteSize(), alignment));
        }
    }

    @Test
    void streamedTensorsArriveInOrderWithPadding() throws IOException {
        long[] shape = {1000};
        GgufWriter w = new GgufWriter();
        // Data sources that write byte by byte, in odd chunks, and all at once must all give the same bytes.
        w.addTensor("bytewise", shape, GgmlType.I8, out -> {
            for (int i = 0; i < 1000; i++) {
                out.write(i);
            }
        });
        w.addTensor("chunked", shape, GgmlType.I8, out -> {
            byte[] all = counting(1000);
            for (int off = 0; off < all.length; off += 333) {
                out.write(all, off, Math.min(333, all.length - off));
            }
        });
        w.addTensor("whole", shape, GgmlType.I8, out -> out.write(counting(1000)));
        Path file = dir.resolve("streamed.gguf");
        w.write(file);

        try (GgufFile f = GgufFile.open(file)) {
            for (GgufTensorInfo t : f.tensors()) {
                assertThat(f.tensorData(t).toArray(ValueLayout.JAVA_BYTE)).as(t.name()).isEqualTo(counting(1000));
            }
            assertThat(f.tensors()).extracting(GgufTensorInfo::offset).containsExactly(0L, 1024L, 2048L);
        }
        ByteArrayOutputStream memory = new ByteArrayOutputStream();
        assertThat(w.writeTo(memory)).isEqualTo(Files.size(file));
        assertThat(memory.toByteArray()).isEqualTo(Files.readAllBytes(file));
    }

    @Test
    void memorySegmentTensorsAreCopiedAsTheyAre() {
        long[] shape = {32, 4000}; // larger than the 64 KiB copy chunk
        byte[] expected = SampleGguf.randomData(new Random(7), shape, GgmlType.F16);
        Path file = dir.resolve("segment.gguf");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(expected.length);
            MemorySegment.copy(expected, 0, segment, ValueLayout.JAVA_BYTE, 0, expected.length);
            new GgufWriter().addTensor("t", shape, GgmlType.F16, segment).write(file);
        }
        try (GgufFile f = GgufFile.open(file)) {
            assertThat(f.tensorData("t").toArray(ValueLayout.JAVA_BYTE)).isEqualTo(expected);
        }
    }

    @Test
    void writingAFileTwiceGivesTheSameBytesAndOverwrites() throws IOException {
        Path file = dir.resolve("twice.gguf");
        Files.writeString(file, "old contents that are to be replaced");
        GgufWriter w = SampleGguf.small(1);
        w.write(file);
        byte[] first = Files.readAllBytes(file);
        w.write(file);
        assertThat(Files.readAllBytes(file)).isEqualTo(first);
        assertThat(dir.resolve("twice.gguf.part")).doesNotExist();
    }

    @Test
    void version2FilesAreRead() throws IOException {
        Path file = dir.resolve("v2.gguf");
        SampleGguf.small(2).write(file);
        byte[] bytes = Files.readAllBytes(file);
        bytes[4] = 2; // version 2 differs from 3 only in that it cannot be big-endian
        Files.write(file, bytes);

        try (GgufFile f = GgufFile.open(file)) {
            assertThat(f.version()).isEqualTo(2);
            assertThat(f.metadata().asMap()).containsExactlyEntriesOf(SampleGguf.everyValueType());
        }
    }

    private static byte[] counting(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) i;
        }
        return b;
    }
}
