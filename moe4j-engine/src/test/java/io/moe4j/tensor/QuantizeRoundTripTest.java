package io.moe4j.tensor;

import io.moe4j.gguf.GgmlType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.FieldSource;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** quantize → dequantize loses no more than each type's precision allows. */
class QuantizeRoundTripTest {
    static final List<GgmlType> TYPES = TestData.TYPES;

    static float[] roundTrip(GgmlType type, float[] x) {
        MemorySegment q = BlockFormats.quantizer(type).quantize(x);
        float[] y = new float[x.length];
        BlockFormats.of(type).dequantize(q, 0, y, 0, x.length);
        return y;
    }

    static double relativeRms(float[] x, float[] y) {
        double err = 0;
        double ref = 0;
        for (int i = 0; i < x.length; i++) {
            double d = (double) x[i] - y[i];
            err += d * d;
            ref += (double) x[i] * x[i];
        }
        return Math.sqrt(err / ref);
    }

    /** Upper bounds on the relative RMS error for Gaussian weights, a little above what ggml's quantizers reach. */
    @ParameterizedTest
    @CsvSource({
            "F32, 0", "F16, 0.0004", "BF16, 0.003", "Q8_0, 0.006", "Q6_K, 0.02", "Q5_1, 0.04", "Q5_0, 0.045",
            "Q5_K, 0.04", "Q4_1, 0.085", "Q4_0, 0.095", "Q4_K, 0.08"})
    void gaussianRelativeRmsErrorIsWithinTheTypesPrecision(GgmlType type, double bound) {
        float[] x = TestData.gaussian(new Random(31 + type.ordinal()), 256 * 64, 0.02);
        double rms = relativeRms(x, roundTrip(type, x));
        assertThat(rms).as("%s relative RMS error", type).isLessThanOrEqualTo(bound);
        if (type.isQuantized()) {
            assertThat(rms).as("%s must actually quantize", type).isGreaterThan(bound / 2);
        }
    }

    /** ggml's own acceptance test (test-quantize-fns): sqrt(Σ err²)/n on 0.1 + 2cos(i) stays below 0.002. */
    @ParameterizedTest
    @FieldSource("TYPES")
    void passesGgmlsTotalQuantizationErrorCheck(GgmlType type) {
        int n = 32 * 128;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (0.1 + 2 * Math.cos(i));
        }
        float[] y = roundTrip(type, x);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double d = (double) x[i] - y[i];
            sum += d * d;
        }
        assertThat(Math.sqrt(sum) / n).as("%s total error", type).isLessThan(0.002);
    }

    @Test
    void legacyTypesStayWithinHalfAStepPerBlock() {
        Random rnd = new Random(17);
        float[] x = TestData.gaussian(rnd, 32 * 200, 1.0);
        for (int i = 0; i < x.length; i += 97) {
            x[i] *= 8; // outliers stretch some blocks' ranges
        }
        checkBlocks(GgmlType.Q8_0, x, (lo, hi, amax) -> amax / 127);
        // Symmetric types map the largest magnitude to the most negative level, so the opposite extreme may be
        // clamped one full step short; the rest are within half a step. fp16 rounding of d adds a little.
        checkBlocks(GgmlType.Q4_0, x, (lo, hi, amax) -> amax / 8 * 1.01);
        checkBlocks(GgmlType.Q5_0, x, (lo, hi, amax) -> amax / 16 * 1.01);
        // Offset types: half a step, plus the fp16 rounding of d (≤ 2^-11 relative, times the level) and of m.
        checkBlocks(GgmlType.Q4_1, x, (lo, hi, amax) -> (hi - lo) / 15 * (0.5 + 15 * 0x1p-11) + Math.abs(lo) * 0x1p-11);
        checkBlocks(GgmlType.Q5_1, x, (lo, hi, amax) -> (hi - lo) / 31 * (0.5 + 31 * 0x1p-11) + Math.abs(lo) * 0x1p-11);
    }

    private interface Bound {
        double of(double lo, double hi, double amax);
    }

    private static void checkBlocks(GgmlType type, float[] x, Bound bound) {
        float[] y = roundTrip(type, x);
        for (int b = 0; b < x.length / 32; b++) {
            double lo = Double.MAX_VALUE;
            double hi = -Double.MAX_VALUE;
            double amax = 0;
            double maxErr = 0;
            for (int j = 0; j < 32; j++) {
                float v = x[32 * b + j];
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
                amax = Math.max(amax, Math.abs(v));
                maxErr = Math.max(maxErr, Math.abs(v - y[32 * b + j]));
            }
            assertThat(maxErr).as("%s block %d max error", type, b).isLessThanOrEqualTo(bound.of(lo, hi, amax) + 1e-7);
        }
    }

    @ParameterizedTest
    @FieldSource("TYPES")
    void degenerateInputsRoundTripSanely(GgmlType type) {
        int n = 512;
        for (float v : roundTrip(type, new float[n])) {
            // == rather than equals: symmetric types give -0.0 here, as ggml does (d = 0 / -8 is -0).
            assertThat(v == 0f).as("%s zeros give %s", type, v).isTrue();
        }

        float[] constant = new float[n];
        java.util.Arrays.fill(constant, -0.75f);
        for (float v : roundTrip(type, constant)) {
            assertThat(v).as("%s constant", type).isCloseTo(-0.75f, org.assertj.core.data.Offset.offset(0.75f * 0.01f));
        }

        float[] spike = new float[n];
        spike[77] = 3f;
        spike[300] = -1e-3f;
        float[] y = roundTrip(type, spike);
        assertThat(y[77]).as("%s spike", type).isCloseTo(3f, org.assertj.core.data.Offset.offset(3f * 0.02f));
        for (float v : y) {
            assertThat(Float.isFinite(v)).isTrue();
        }

        // Accuracy does not depend on the magnitude while the scales stay in fp16's normal range (below about
        // 1e-5 they go subnormal and precision collapses, in ggml as here).
        for (double sigma : new double[] {1e-3, 30}) {
            float[] x = TestData.gaussian(new Random(3), n, sigma);
            assertThat(relativeRms(x, roundTrip(type, x))).as("%s sigma %s", type, sigma).isLessThan(0.1);
        }
    }

    @Test
    void bf16RoundsToNearestEvenAndKeepsNaN() {
        assertThat(Bits.floatToBf16(Float.intBitsToFloat(0x3F808000))).isEqualTo((short) 0x3F80); // tie, even stays
        assertThat(Bits.floatToBf16(Float.intBitsToFloat(0x3F818000))).isEqualTo((short) 0x3F82); // tie, odd rounds up
        assertThat(Bits.floatToBf16(Float.intBitsToFloat(0x3F808001))).isEqualTo((short) 0x3F81);
        short nan = Bits.floatToBf16(Float.intBitsToFloat(0x7F800001)); // payload only in the low half
        assertThat(Float.isNaN(Bits.bf16ToFloat(nan))).isTrue();
    }

    @Test
    void roundingHelpersMatchC() {
        assertThat(QuantMath.roundf(2.5f)).isEqualTo(3f);
        assertThat(QuantMath.roundf(-2.5f)).isEqualTo(-3f);
        assertThat(QuantMath.roundf(0.49999997f)).isEqualTo(0f);
        assertThat(QuantMath.roundf(-0.5f)).isEqualTo(-1f);
        assertThat(QuantMath.nearestInt(2.5f)).isEqualTo(2);
        assertThat(QuantMath.nearestInt(3.5f)).isEqualTo(4);
        assertThat(QuantMath.nearestInt(-2.5f)).isEqualTo(-2);
        assertThat(QuantMath.nearestInt(-7.6f)).isEqualTo(-8);
        assertThat(QuantMath.nearestInt(1000.4f)).isEqualTo(1000);
    }
}
