package io.moe4j.tensor;

import io.moe4j.gguf.GgmlType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every format's decoder against {@link ReferenceDecoder} on random blocks, bit for bit: llama.cpp's results
 * can only be reproduced if each weight decodes to exactly ggml's float.
 */
class DequantizeExactTest {
    static final java.util.List<GgmlType> TYPES = TestData.TYPES;

    @ParameterizedTest
    @FieldSource("TYPES")
    void decodesRandomBlocksExactlyLikeTheReference(GgmlType type) {
        Random rnd = new Random(1234 + type.ordinal());
        int blocks = type.blockSize() == 256 ? 48 : 300;
        byte[] data = TestData.randomBlocks(type, blocks, rnd, null);
        float[] expected = referenceDecode(type, data, blocks);

        // Odd byte offset into the segment and a destination offset: nothing may assume alignment or zero bases.
        int pad = 3;
        byte[] padded = new byte[data.length + pad];
        System.arraycopy(data, 0, padded, pad, data.length);
        int count = blocks * type.blockSize();
        float[] heap = new float[count + 5];
        BlockFormats.of(type).dequantize(MemorySegment.ofArray(padded), pad, heap, 5, count);
        assertBitsEqual(type, expected, heap, 5);

        try (Arena arena = Arena.ofConfined()) {
            MemorySegment off = arena.allocate(padded.length + 16, 64);
            MemorySegment.copy(padded, 0, off, Bits.U8, 1, padded.length);
            float[] nat = new float[count];
            BlockFormats.of(type).dequantize(off, pad + 1, nat, 0, count);
            assertBitsEqual(type, expected, nat, 0);
        }
    }

    @ParameterizedTest
    @FieldSource("TYPES")
    void decodesSaneScalesExactlyToo(GgmlType type) {
        // Random bit patterns are mostly tiny or huge numbers; ordinary scales exercise the usual ranges.
        Random rnd = new Random(99 + type.ordinal());
        int blocks = type.blockSize() == 256 ? 16 : 64;
        byte[] data = TestData.randomBlocks(type, blocks, rnd, () -> rnd.nextGaussian() * 0.05);
        float[] actual = new float[blocks * type.blockSize()];
        BlockFormats.of(type).dequantize(MemorySegment.ofArray(data), 0, actual, 0, actual.length);
        assertBitsEqual(type, referenceDecode(type, data, blocks), actual, 0);
    }

    @Test
    void referenceHalfDecoderAgreesWithTheJdk() {
        for (int h = 0; h < 1 << 16; h++) {
            if ((h & 0x7C00) == 0x7C00) {
                continue;
            }
            assertThat(Float.floatToRawIntBits(ReferenceDecoder.half(h)))
                    .as("fp16 0x%04x", h)
                    .isEqualTo(Float.floatToRawIntBits(Float.float16ToFloat((short) h)));
        }
    }

    @Test
    void q4KScalesAboveFourUseTheHighBitsOfTheFirstEightBytes() {
        // One handmade Q4_K block: sub-block 5 gets scale 0b10_0011 (35) and min 0b01_0110 (22), whose top
        // two bits live in bytes 1 and 5 of the scales (the low six bits of those belong to sub-blocks 1 and 5
        // of the first half). d = 1, dmin = 0.5, all quants 3.
        byte[] block = new byte[144];
        Bits.putU16(block, 0, Float.floatToFloat16(1f));
        Bits.putU16(block, 2, Float.floatToFloat16(0.5f));
        block[4 + 9] = (byte) (0x3 | (0x6 << 4)); // scales[9]: low nibble of scale 5, low nibble of min 5
        block[4 + 1] = (byte) (0b10 << 6);         // scales[1]: top bits of scale 5
        block[4 + 5] = (byte) (0b01 << 6);         // scales[5]: top bits of min 5
        for (int i = 16; i < 144; i++) {
            block[i] = 0x33;
        }
        float[] out = new float[256];
        BlockFormats.of(GgmlType.Q4_K).dequantize(MemorySegment.ofArray(block), 0, out, 0, 256);
        assertThat(out[5 * 32]).isEqualTo(35f * 3 - 0.5f * 22);
        assertThat(out[5 * 32 + 31]).isEqualTo(35f * 3 - 0.5f * 22);
        // Sub-block 1 has scale 0 (low six bits of byte 1) and min 0 (low six bits of byte 5).
        assertThat(out[32]).isEqualTo(0f);
    }

    private static float[] referenceDecode(GgmlType type, byte[] data, int blocks) {
        float[] out = new float[blocks * type.blockSize()];
        for (int b = 0; b < blocks; b++) {
            float[] block = ReferenceDecoder.decode(type, data, b * type.bytesPerBlock());
            System.arraycopy(block, 0, out, b * type.blockSize(), block.length);
        }
        return out;
    }

    private static void assertBitsEqual(GgmlType type, float[] expected, float[] actual, int actualOffset) {
        for (int i = 0; i < expected.length; i++) {
            int e = Float.floatToRawIntBits(expected[i]);
            int a = Float.floatToRawIntBits(actual[actualOffset + i]);
            if (e != a) {
                assertThat(actual[actualOffset + i])
                        .as("%s element %d (block %d, index %d in block)", type, i, i / type.blockSize(), i % type.blockSize())
                        .isEqualTo(expected[i]);
                assertThat(a).as("%s element %d bits", type, i).isEqualTo(e);
            }
        }
    }
}
