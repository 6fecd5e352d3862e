package io.moe4j.tensor;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The 8-bit activation formats against scalar transcriptions of llama.cpp's {@code quantize_row_q8_0}. */
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
}
