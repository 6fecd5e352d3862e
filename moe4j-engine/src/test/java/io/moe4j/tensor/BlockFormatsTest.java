package io.moe4j.tensor;

import io.moe4j.gguf.GgmlType;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BlockFormatsTest {

    @Test
    void supportsExactlyTheImplementedTypes() {
        assertThat(BlockFormats.supportedTypes()).containsExactlyInAnyOrderElementsOf(TestData.TYPES);
        for (GgmlType t : TestData.TYPES) {
            assertThat(BlockFormats.of(t).type()).isEqualTo(t);
            assertThat(BlockFormats.quantizer(t).type()).isEqualTo(t);
            assertThat(BlockFormats.isSupported(t)).isTrue();
        }
    }

    @Test
    void unsupportedTypeIsNamedInTheError() {
        assertThat(BlockFormats.isSupported(GgmlType.IQ2_XXS)).isFalse();
        assertThatThrownBy(() -> BlockFormats.of(GgmlType.IQ2_XXS))
                .isInstanceOf(UnsupportedTensorTypeException.class)
                .hasMessageContaining("IQ2_XXS");
        assertThatThrownBy(() -> BlockFormats.quantizer(GgmlType.Q3_K))
                .isInstanceOf(UnsupportedTensorTypeException.class)
                .hasMessageContaining("Q3_K");
    }

    @Test
    void partialBlocksAreRejected() {
        MemorySegment seg = MemorySegment.ofArray(new byte[1024]);
        BlockFormat q4k = BlockFormats.of(GgmlType.Q4_K);
        assertThatThrownBy(() -> q4k.dequantize(seg, 0, new float[512], 0, 100))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Q4_K");
        assertThatThrownBy(() -> q4k.dot(seg, 0, new float[512], 0, 257))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BlockFormats.quantizer(GgmlType.Q8_0).quantize(new float[33]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Q8_0");
    }

    @Test
    void quantizeWritesExactlyTheTypesByteSize() {
        for (GgmlType t : TestData.TYPES) {
            float[] x = new float[512];
            MemorySegment seg = BlockFormats.quantizer(t).quantize(x);
            assertThat(seg.byteSize()).as("%s", t).isEqualTo(t.byteSize(512));
            // Quantizing in place at an offset must not write outside its span.
            byte[] big = new byte[(int) t.byteSize(512) + 20];
            java.util.Arrays.fill(big, (byte) 0x5A);
            float[] ones = new float[512];
            java.util.Arrays.fill(ones, 1.5f);
            BlockFormats.quantizer(t).quantize(ones, 0, 512, MemorySegment.ofArray(big), 10);
            for (int i = 0; i < 10; i++) {
                assertThat(big[i]).isEqualTo((byte) 0x5A);
                assertThat(big[big.length - 1 - i]).isEqualTo((byte) 0x5A);
            }
        }
    }
}
