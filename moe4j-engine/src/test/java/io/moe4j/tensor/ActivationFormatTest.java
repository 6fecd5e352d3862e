package io.moe4j.tensor;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The 8-bit activation formats against scalar transcriptions of llama.cpp's {@code quantize_row_q8_0} and {@code quantize_row_q8_K}. */
class ActivationFormatTest {

    @Test
    void q8_0CodesAndScalesAreLlamaCppsBitForBit() {
        Random rnd = new Random(3);
        int n = 32 * 64;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(7) - 3));
        }
        // blocks whose codes land exactly on halves (ties go to even), tiny negatives (codes -0.0), all zeros
        for (int i = 0; i < 32; i++) {
            x[32 + i] = i == 0 ? 127f : (i - 16) + 0.5f;
            x[64 + i] = i == 0 ? 1f : -0.001f * i;
            x[96 + i] = 0f;
        }
        float[] codes = new float[n];
        float[] scales = new float[n / 32];
        ActivationFormat.Q8_0.quantize(x, 0, codes, 0, scales, 0, n);
        for (int b = 0; b < n / 32; b++) {
            float amax = 0f;
            for (int i = 0; i < 32; i++) {
                amax = Math.max(amax, Math.abs(x[32 * b + i]));
            }
            float id = amax != 0f ? 127f / amax : 0f;
            assertThat(scales[b]).isEqualTo(Float.float16ToFloat(Float.floatToFloat16(amax / 127f)));
            for (int i = 0; i < 32; i++) {
                float expected = (float) Math.rint(x[32 * b + i] * id);
                assertThat(Float.floatToRawIntBits(codes[32 * b + i])).as("block %d value %d", b, i)
                        .isEqualTo(Float.floatToRawIntBits(expected));
            }
        }
    }

    @Test
    void q8_KCodesAndScalesAreLlamaCppsBitForBit() {
        float[] x = awkwardBlocks(256);
        int n = x.length;
        float[] codes = new float[n];
        float[] scales = new float[n / 256];
        ActivationFormat.Q8_K.quantize(x, 0, codes, 0, scales, 0, n);
        for (int b = 0; b < n / 256; b++) {
            float[] expectedCodes = new float[256];
            float expectedScale = q8_K(x, 256 * b, expectedCodes);
            assertThat(Float.floatToRawIntBits(scales[b])).as("block %d scale", b).isEqualTo(Float.floatToRawIntBits(expectedScale));
            for (int i = 0; i < 256; i++) {
                assertThat(Float.floatToRawIntBits(codes[256 * b + i])).as("block %d value %d", b, i)
                        .isEqualTo(Float.floatToRawIntBits(expectedCodes[i]));
            }
        }
    }

    /** {@code round} gives each code times its block's scale, for both 8-bit formats, at an offset into both arrays. */
    @Test
    void roundedValuesAreCodesTimesTheirBlocksScale() {
        for (ActivationFormat format : new ActivationFormat[] {ActivationFormat.Q8_0, ActivationFormat.Q8_K}) {
            int block = format.blockSize();
            float[] x = awkwardBlocks(block);
            int n = x.length;
            float[] codes = new float[n];
            float[] scales = new float[n / block];
            format.quantize(x, 0, codes, 0, scales, 0, n);
            float[] src = new float[n + 5];
            System.arraycopy(x, 0, src, 5, n);
            float[] rounded = new float[n + 3];
            format.round(src, 5, rounded, 3, n);
            for (int i = 0; i < n; i++) {
                assertThat(Float.floatToRawIntBits(rounded[3 + i])).as("%s value %d", format, i)
                        .isEqualTo(Float.floatToRawIntBits(codes[i] * scales[i / block]));
            }
        }
    }

    /** {@code scaleBack} of {@code quantize}'s codes and scales gives what {@code round} gives, bit for bit, in every format. */
    @Test
    void scalingCodesBackGivesTheRoundedValues() {
        for (ActivationFormat format : ActivationFormat.values()) {
            int block = Math.max(32, format.blockSize());
            float[] x = awkwardBlocks(block);
            int n = x.length;
            float[] codes = new float[n + 2];
            float[] scales = format.isBlockQuantized() ? new float[n / format.blockSize() + 1] : null;
            format.quantize(x, 0, codes, 2, scales, 1, n);
            float[] back = new float[n + 4];
            format.scaleBack(codes, 2, scales, 1, back, 4, n);
            float[] rounded = new float[n];
            format.round(x, 0, rounded, 0, n);
            for (int i = 0; i < n; i++) {
                assertThat(Float.floatToRawIntBits(back[4 + i])).as("%s value %d", format, i)
                        .isEqualTo(Float.floatToRawIntBits(rounded[i]));
            }
        }
    }

    /**
     * Blocks of {@code block} values: Gaussian at magnitudes 10^-3 to 10^3, then one whose largest magnitude comes
     * twice with opposite signs (the first one sets the sign), one of halves that round to even, one all zero.
     */
    private static float[] awkwardBlocks(int block) {
        Random rnd = new Random(block);
        int n = block * 24;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(7) - 3));
        }
        for (int i = 0; i < block; i++) {
            x[block + i] = i == 7 ? -3f : i == 200 % block ? 3f : 0.01f * (i % 13);
            x[2 * block + i] = i == 0 ? 127f : (i % 32 - 16) + 0.5f;
            x[3 * block + i] = 0f;
        }
        return x;
    }

    /** A transcription of llama.cpp's {@code quantize_row_q8_K} for one block; returns its scale. */
    private static float q8_K(float[] x, int o, float[] codes) {
        float amax = 0f;
        float max = 0f;
        for (int i = 0; i < 256; i++) {
            float ax = Math.abs(x[o + i]);
            if (ax > amax) {
                amax = ax;
                max = x[o + i];
            }
        }
        if (amax == 0f) {
            return 0f;
        }
        float iscale = -127f / max;
        for (int i = 0; i < 256; i++) {
            codes[i] = (float) Math.min(127, (int) Math.rint(iscale * x[o + i]));
        }
        return 1f / iscale;
    }
}
