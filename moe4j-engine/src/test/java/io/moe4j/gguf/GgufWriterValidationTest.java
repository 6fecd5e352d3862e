package io.moe4j.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moe4j.gguf.GgufValue.GgufArray;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** GgufWriter refuses what it could not write or what GgufFile would not read back, naming the culprit. */
class GgufWriterValidationTest {
    @TempDir
    Path dir;

    @Test
    void integerValuesMustFitTheirType() {
        assertThatThrownBy(() -> GgufValue.ofUint8(256)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("UINT8");
        assertThatThrownBy(() -> GgufValue.ofInt8(-129)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GgufValue.ofUint32(-1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("UINT32");
        assertThatThrownBy(() -> GgufValue.ofInt32(1L << 31)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new GgufWriter().putMetadata("counts", GgufValue.ofArray(GgufArray.ofInts(GgufValueType.UINT16, 1, 65536))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("'counts'", "65536", "UINT16");
    }

    @Test
    void nullArrayElementsAreRefused() {
        assertThatThrownBy(() -> new GgufWriter().putMetadata("tokens", GgufValue.ofArray(GgufArray.ofStrings("a", null))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("'tokens'", "element 1", "null");
    }

    @Test
    void arraysNestDeepAsTheReaderAllowsAndNoDeeper() {
        assertThatCode(() -> new GgufWriter().putMetadata("deep", GgufValue.ofArray(SampleGguf.nestedArrays(SampleGguf.MAX_NESTED_ARRAYS))))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> new GgufWriter().putMetadata("deep", GgufValue.ofArray(SampleGguf.nestedArrays(SampleGguf.MAX_NESTED_ARRAYS + 1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("'deep'", "nested");
    }

    @Test
    void laterChangesToAnArrayDoNotReachTheFile() {
        long[] values = {1, 2, 3};
        GgufWriter w = new GgufWriter().putMetadata("v", GgufValue.ofArray(GgufArray.ofInts(GgufValueType.UINT8, values)));
        values[0] = 1000; // would not even fit UINT8
        Path file = dir.resolve("snapshot.gguf");
        w.write(file);
        try (GgufFile f = GgufFile.open(file)) {
            assertThat(f.metadata().getLongArray("v")).containsExactly(1, 2, 3);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 3, 48, 1 << 21})
    void alignmentMustBeAPowerOfTwoUpTo2To20(long alignment) {
        assertThatThrownBy(() -> new GgufWriter().putMetadata(GgufFile.ALIGNMENT_KEY, GgufValue.ofUint32(alignment)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll(GgufFile.ALIGNMENT_KEY, "power of two");
    }

    @Test
    void alignmentMustBeAUint32AsLlamaCppReadsIt() {
        assertThatThrownBy(() -> new GgufWriter().putMetadata(GgufFile.ALIGNMENT_KEY, GgufValue.ofUint64(64)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll(GgufFile.ALIGNMENT_KEY, "UINT32", "UINT64");
        assertThat(new GgufWriter().putMetadata(GgufFile.ALIGNMENT_KEY, GgufValue.ofUint32(64)).alignment()).isEqualTo(64);
    }

    @Test
    void tensorShapesMustSuitTheirType() {
        assertTensorRefused(new long[0], GgmlType.F32, "0 dimensions");
        assertTensorRefused(new long[] {1, 1, 1, 1, 1}, GgmlType.F32, "5 dimensions");
        assertTensorRefused(new long[] {4, 0}, GgmlType.F32, "dimension 1 = 0");
        assertTensorRefused(new long[] {-4}, GgmlType.F32, "dimension 0 = 18446744073709551612");
        assertTensorRefused(new long[] {1L << 32, 1L << 32}, GgmlType.F32, "more elements than fit in 64 bits");
        assertTensorRefused(new long[] {1L << 62}, GgmlType.F32, "more than 2^63 bytes");
        assertTensorRefused(new long[] {33, 2}, GgmlType.Q4_0, "row length 33", "Q4_0 block size 32");
    }

    private static void assertTensorRefused(long[] shape, GgmlType type, String... fragments) {
        assertThatThrownBy(() -> new GgufWriter().addTensor("t", shape, type, out -> { }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'t'")
                .hasMessageContainingAll(fragments);
    }

    @Test
    void givenBytesMustMatchShapeAndType() {
        assertThatThrownBy(() -> new GgufWriter().addTensor("w", new long[] {32, 2}, GgmlType.Q8_0, new byte[67]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("'w'", "takes 68 bytes", "67");
        try (Arena arena = Arena.ofConfined()) {
            assertThatThrownBy(() -> new GgufWriter().addTensor("w", new long[] {2}, GgmlType.F32, arena.allocate(12)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContainingAll("'w'", "takes 8 bytes", "12");
        }
    }

    @Test
    void tensorNamesMustBeUniqueNonEmptyAndFitLlamaCpp() {
        GgufWriter w = new GgufWriter().addTensor("a", new long[] {1}, GgmlType.F32, new byte[4]);
        assertThatThrownBy(() -> w.addTensor("a", new long[] {2}, GgmlType.F32, new byte[8]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("duplicate", "'a'");
        assertThatThrownBy(() -> w.addTensor("", new long[] {1}, GgmlType.F32, new byte[4]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty");
        assertThatCode(() -> w.addTensor("x".repeat(63), new long[] {1}, GgmlType.F32, new byte[4])).doesNotThrowAnyException();
        assertThatThrownBy(() -> w.addTensor("é".repeat(32), new long[] {1}, GgmlType.F32, new byte[4]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("63 bytes");
        assertThat(w.tensors()).extracting(GgufTensorInfo::name).containsExactly("a", "x".repeat(63));
    }

    @Test
    void aDataSourceThatWritesTooLittleLeavesNoFile() throws IOException {
        Path file = dir.resolve("short.gguf");
        Files.writeString(file, "previous");
        GgufWriter w = new GgufWriter().addTensor("short", new long[] {16}, GgmlType.F32, out -> out.write(new byte[60]));

        assertThatThrownBy(() -> w.write(file))
                .isExactlyInstanceOf(GgufException.class)
                .hasMessageStartingWith(file + ": ")
                .hasMessageContainingAll("'short'", "60 of its 64 bytes");
        assertThat(Files.readString(file)).isEqualTo("previous");
        assertThat(dir.resolve("short.gguf.part")).doesNotExist();
    }

    @Test
    void aDataSourceThatWritesTooMuchIsStoppedBeforeItOverrunsTheNextTensor() {
        Path file = dir.resolve("long.gguf");
        GgufWriter w = new GgufWriter()
                .addTensor("long", new long[] {16}, GgmlType.F32, out -> out.write(new byte[65]))
                .addTensor("next", new long[] {1}, GgmlType.F32, new byte[4]);

        assertThatThrownBy(() -> w.write(file))
                .isExactlyInstanceOf(GgufException.class)
                .hasMessageContainingAll("'long'", "more than its 64 bytes");
        assertThat(file).doesNotExist();
        assertThat(dir.resolve("long.gguf.part")).doesNotExist();
    }

    @Test
    void failuresOfTheDataSourceLeaveNoFile() {
        Path file = dir.resolve("failing.gguf");
        GgufWriter io = new GgufWriter().addTensor("t", new long[] {1}, GgmlType.F32, out -> {
            throw new IOException("disk on fire");
        });
        assertThatThrownBy(() -> io.write(file)).isExactlyInstanceOf(GgufException.class).hasMessageContaining("disk on fire");
        GgufWriter bug = new GgufWriter().addTensor("t", new long[] {1}, GgmlType.F32, out -> {
            throw new IllegalStateException("generator bug");
        });
        assertThatThrownBy(() -> bug.write(file)).isExactlyInstanceOf(IllegalStateException.class);
        assertThat(file).doesNotExist();
        assertThat(dir.resolve("failing.gguf.part")).doesNotExist();
    }

    @Test
    void anUnwritablePlaceGivesAGgufException() {
        Path file = dir.resolve("no/such/dir/model.gguf");
        assertThatThrownBy(() -> SampleGguf.small(3).write(file))
                .isExactlyInstanceOf(GgufException.class)
                .hasMessageStartingWith(file + ": cannot write")
                .hasMessageContaining("no such file");
    }
}
