package io.moe4j.tensor;

import io.moe4j.gguf.GgmlType;
import jdk.incubator.vector.ShortVector;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The row-grouped decode kernels against a double-precision sum over the file layout's decoded rows: random
 * blocks, blocks that push the integer block sums to their bounds, and scales of every kind.
 */
class InterleavedRowsTest {
    private static final int GROUP = InterleavedRows.GROUP;
    private static final int PAIR = InterleavedRows.PAIR;

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_0", "Q5_0", "Q8_0", "Q4_K", "Q6_K"})
    void randomMatricesMatchTheDecodedRowsProduct(GgmlType type) {
        if (!regroupedHere(type)) {
            return;
        }
        Random rnd = new Random(5 + type.ordinal());
        int block = type.blockSize();
        for (int cols : new int[] {block, 3 * block, 2048}) {
            for (int rows : new int[] {32, 101, 160}) {
                byte[] data = TestData.randomBlocks(type, rows * cols / block, rnd, () -> rnd.nextGaussian() * 0.02);
                float[] x = TestData.gaussian(rnd, cols, 1.0);
                assertMatchesDecodedRows(type, data, rows, cols, x, 1e-6, cols + "x" + rows);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_0", "Q5_0", "Q8_0", "Q4_K", "Q6_K"})
    void threadsMakeTheSameCopy(GgmlType type) {
        if (!regroupedHere(type)) {
            return;
        }
        Random rnd = new Random(13);
        int rows = GROUP * 13 + 7;
        int cols = 3 * type.blockSize();
        MemorySegment data = MemorySegment.ofArray(TestData.randomBlocks(type, rows * cols / type.blockSize(), rnd, () -> 0.02));
        InterleavedRows alone = InterleavedRows.of(type, data, 0, rows, cols, null);
        InterleavedRows together;
        try (ComputePool pool = new ComputePool(3)) {
            together = InterleavedRows.of(type, data, 0, rows, cols, pool);
        }
        assertThat(together.groups()).isEqualTo(13);
        assertThat(together.data.mismatch(alone.data)).isEqualTo(-1);
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_0", "Q5_0", "Q8_0", "Q4_K", "Q6_K"})
    void twoActivationsAtOnceGiveEachRowAsOneAtATime(GgmlType type) {
        if (!regroupedHere(type)) {
            return;
        }
        Random rnd = new Random(21);
        int cols = 2 * Math.max(256, type.blockSize());
        InterleavedRows grouped = randomGroups(type, 4, cols, rnd);
        short[][] codes16 = new short[2][];
        short[][] sums = new short[2][];
        float[][] scales = new float[2][];
        for (int t = 0; t < 2; t++) {
            Prepared x = Prepared.random(type, cols, rnd);
            codes16[t] = x.codes16();
            sums[t] = x.sums();
            scales[t] = x.scales();
        }
        for (int g = 0; g < 4; g += 2) {
            float[][] alone = new float[2][PAIR];
            float[][] together = new float[2][PAIR + 7];
            for (int t = 0; t < 2; t++) {
                grouped.dotPair(g, codes16[t], sums[t], scales[t], alone[t], 0);
            }
            grouped.dotPairForTwo(g, codes16[0], sums[0], scales[0], together[0], 7, codes16[1], sums[1], scales[1], together[1], 7);
            for (int t = 0; t < 2; t++) {
                assertThat(Arrays.copyOfRange(together[t], 7, 7 + PAIR)).as("%s groups %d-%d, activation %d", type, g, g + 1, t)
                        .containsExactly(alone[t]);
            }
        }
    }

    /**
     * Whether {@code type} has kernels on this machine's vectors; where it has none (Q5_0 with 128-bit vectors), checks
     * that no copy is made for it.
     */
    private static boolean regroupedHere(GgmlType type) {
        if (InterleavedRows.hasKernels(type)) {
            return true;
        }
        byte[] data = TestData.randomBlocks(type, 2 * GROUP, new Random(1), () -> 0.01);
        assertThat(InterleavedRows.of(type, MemorySegment.ofArray(data), 0, GROUP, 2 * type.blockSize(), null)).isNull();
        return false;
    }

    /** A copy of {@code groups} groups of random rows of {@code type}, {@code cols} wide. */
    private static InterleavedRows randomGroups(GgmlType type, int groups, int cols, Random rnd) {
        int rows = GROUP * groups;
        byte[] data = TestData.randomBlocks(type, rows * cols / type.blockSize(), rnd, () -> rnd.nextGaussian() * 0.02);
        return InterleavedRows.of(type, MemorySegment.ofArray(data), 0, rows, cols, null);
    }

    /** A random activation as the kernels for {@code type} take it. */
    private record Prepared(short[] codes16, short[] sums, float[] scales) {
        static Prepared random(GgmlType type, int cols, Random rnd) {
            ActivationFormat f = ActivationFormat.forWeights(type);
            Prepared x = new Prepared(new short[InterleavedRows.preparedLength(cols)], new short[cols / InterleavedRows.SUM_RUN],
                    new float[cols / f.blockSize()]);
            float[] codes = new float[cols];
            f.quantize(TestData.gaussian(rnd, cols, 1.0), 0, codes, 0, x.scales, 0, cols);
            InterleavedRows.prepare(codes, x.codes16, x.sums, cols);
            return x;
        }
    }

    /** Two pairs read side by side give each row as dotPair gives it, wherever the outputs lie. */
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_0", "Q5_0", "Q8_0", "Q4_K", "Q6_K"})
    void twoPairsSideBySideMatchEachPairAlone(GgmlType type) {
        if (!regroupedHere(type)) {
            return;
        }
        Random rnd = new Random(22);
        int rows = GROUP * 9;
        int cols = 2 * Math.max(256, type.blockSize());
        InterleavedRows grouped = randomGroups(type, rows / GROUP, cols, rnd);
        Prepared x = Prepared.random(type, cols, rnd);
        short[] codes16 = x.codes16();
        short[] sums = x.sums();
        float[] scales = x.scales();
        float[] alone = new float[rows];
        for (int g = 0; g + 1 < grouped.groups(); g += 2) {
            grouped.dotPair(g, codes16, sums, scales, alone, GROUP * g);
        }
        // pairs starting at groups 0 and 4, 6 and 2 (the second before the first), 2 and 0 (adjacent); group 8 has no partner
        int[][] pairings = {{0, 4}, {6, 2}, {2, 0}};
        for (int[] pairing : pairings) {
            float[] together = new float[620];
            java.util.Arrays.fill(together, Float.NaN);
            grouped.dotTwoPairs(pairing[0], pairing[1], codes16, sums, scales, together, 7 + GROUP * pairing[0], 350 + GROUP * pairing[1]);
            for (int r = 0; r < PAIR; r++) {
                assertThat(together[7 + GROUP * pairing[0] + r]).as("%s groups %d, row %d", type, pairing[0], r).isEqualTo(alone[GROUP * pairing[0] + r]);
                assertThat(together[350 + GROUP * pairing[1] + r]).as("%s groups %d, row %d", type, pairing[1], r).isEqualTo(alone[GROUP * pairing[1] + r]);
            }
        }
    }

    /**
     * The kernels' form of an activation: each code as a 16-bit integer, then each code less 16 times the one before
     * it within its run of four, and the sum of each run of eight.
     */
    @Test
    void preparedCodesAndSumsMatchTheCodes() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(17);
        for (int cols : new int[] {8, 16, 24, 40, 256, 1000, 2048}) {
            float[] codes = new float[cols];
            for (int i = 0; i < cols; i++) {
                codes[i] = random.nextInt(-128, 128);
            }
            short[] codes16 = new short[InterleavedRows.preparedLength(cols)];
            short[] sums = new short[cols / InterleavedRows.SUM_RUN];
            InterleavedRows.prepare(codes, codes16, sums, cols);
            for (int i = 0; i < cols; i++) {
                assertThat(codes16[i]).as("cols %d, code %d", cols, i).isEqualTo((short) codes[i]);
            }
            for (int run = 0; run < sums.length; run++) {
                int sum = 0;
                for (int i = 8 * run; i < 8 * run + 8; i++) {
                    sum += (int) codes[i];
                }
                assertThat(sums[run]).as("cols %d, run %d", cols, run).isEqualTo((short) sum);
            }
            for (int i = 0; i < cols / 8 * 8; i++) {
                int difference = i % 4 == 0 ? (int) codes[i] : (int) codes[i] - 16 * (int) codes[i - 1];
                assertThat(codes16[cols + i]).as("cols %d, difference %d", cols, i).isEqualTo((short) difference);
            }
        }
    }

    @Test
    void q4_0BlockSumsAtTheirBoundsStayExact() {
        int rows = 32;
        int cols = 64;
        // row r holds code r % 16 everywhere (value r%16 - 8, down to -8); every activation code is +127 or -127
        byte[] data = new byte[rows * cols / 32 * 18];
        for (int block = 0; block < rows * cols / 32; block++) {
            int code = block / (cols / 32) % 16;
            Bits.putF16(data, block * 18, 1.0f);
            Arrays.fill(data, block * 18 + 2, block * 18 + 18, (byte) (code | code << 4));
        }
        assertAtBounds(GgmlType.Q4_0, data, rows, cols);
    }

    @Test
    void q5_0BlockSumsAtTheirBoundsStayExact() {
        if (!regroupedHere(GgmlType.Q5_0)) {
            return;
        }
        int rows = 32;
        int cols = 64;
        // codes 0 (value -16) and 31 (15) in alternate rows, then mixtures: a whole block's sum reaches ±65024, past
        // what 16 bits hold, and each of the kernel's two partial sums its bound of ±32512
        byte[] data = new byte[rows * cols / 32 * 22];
        for (int block = 0; block < rows * cols / 32; block++) {
            int row = block / (cols / 32);
            int at = block * 22;
            Bits.putF16(data, at, 1.0f);
            int code = row == 0 ? 0 : row == 1 ? 31 : row % 4 == 0 ? 16 : row % 4 == 1 ? 15 : (row * 7) % 32;
            Bits.putU32(data, at + 2, (code & 16) != 0 ? -1 : 0);
            Arrays.fill(data, at + 6, at + 22, (byte) ((code & 15) | (code & 15) << 4));
        }
        assertAtBounds(GgmlType.Q5_0, data, rows, cols);
    }

    @Test
    void q8_0BlockSumsAtTheirBoundsStayExact() {
        int rows = 32;
        int cols = 64;
        // codes -128, 127 and values between, row by row, against activation codes of ±127
        byte[] data = new byte[rows * cols / 32 * 34];
        for (int block = 0; block < rows * cols / 32; block++) {
            int row = block / (cols / 32);
            Bits.putF16(data, block * 34, 1.0f);
            Arrays.fill(data, block * 34 + 2, block * 34 + 34, (byte) (row == 0 ? -128 : row == 1 ? 127 : row * 9 - 140));
        }
        assertAtBounds(GgmlType.Q8_0, data, rows, cols);
    }

    @Test
    void q6_KBlockSumsAtTheirBoundsStayExact() {
        int rows = 32;
        int cols = 512;
        // codes 0 (value -32) and 63 (31) in alternate rows, sub-block scales from -128 to 127, against codes ±127
        byte[] data = new byte[rows * cols / 256 * 210];
        for (int block = 0; block < rows * cols / 256; block++) {
            int row = block / (cols / 256);
            int at = block * 210;
            Arrays.fill(data, at, at + 192, (byte) (row % 2 == 0 ? 0 : 0xFF));
            for (int j = 0; j < 16; j++) {
                data[at + 192 + j] = (byte) (row == 0 ? -128 : row == 1 ? 127 : (row * 16 + j) % 256 - 128);
            }
            Bits.putF16(data, at + 208, 1.0f);
        }
        assertAtBounds(GgmlType.Q6_K, data, rows, cols);
    }

    private static void assertAtBounds(GgmlType type, byte[] data, int rows, int cols) {
        float[] plus = new float[cols];
        Arrays.fill(plus, 1.0f);
        float[] minus = new float[cols];
        Arrays.fill(minus, -1.0f);
        // wrapping past the integers' range anywhere would be off by a multiple of 2^16 or 2^32 times a scale
        assertMatchesDecodedRows(type, data, rows, cols, plus, 1e-6, "+127");
        assertMatchesDecodedRows(type, data, rows, cols, minus, 1e-6, "-127");
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_0", "Q5_0", "Q8_0", "Q4_K", "Q6_K"})
    void scalesOfEveryKindConvertExactly(GgmlType type) {
        if (!regroupedHere(type)) {
            return;
        }
        Random rnd = new Random(9);
        int rows = 32;
        int cols = 4 * type.blockSize();
        int blockBytes = (int) type.byteSize(type.blockSize());
        byte[] data = TestData.randomBlocks(type, rows * cols / type.blockSize(), rnd, () -> 0.01);
        short[] halves = {0x0001, (short) 0x8001, 0x03FF, 0x0400, 0x7BFF, (short) 0xFBFF, 0x0000, (short) 0x8000, 0x3C00, (short) 0xB555};
        for (int block = 0; block < rows * cols / type.blockSize(); block++) {
            Bits.putU16(data, block * blockBytes + superScaleAt(type), halves[block % halves.length]);
        }
        float[] x = TestData.gaussian(rnd, cols, 1.0);
        assertMatchesDecodedRows(type, data, rows, cols, x, 1e-6, "special scales");
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_0", "Q5_0", "Q8_0", "Q4_K", "Q6_K"})
    void infiniteOrNaNScalesAreLeftToTheFileLayout(GgmlType type) {
        Random rnd = new Random(2);
        int blockBytes = (int) type.byteSize(type.blockSize());
        for (short bits : new short[] {0x7C00, (short) 0xFC00, 0x7E00}) {
            byte[] data = TestData.randomBlocks(type, 32 * 2, rnd, () -> 0.01);
            Bits.putU16(data, blockBytes * 37 + superScaleAt(type), bits);
            assertThat(InterleavedRows.of(type, MemorySegment.ofArray(data), 0, 32, 2 * type.blockSize(), null)).isNull();
        }
    }

    @Test
    void appliesToWholeGroupsOfTheTypesWithKernels() {
        assertThat(InterleavedRows.applies(GgmlType.Q4_0, 64, 2048)).isTrue();
        assertThat(InterleavedRows.applies(GgmlType.Q8_0, 50257, 256)).isTrue();
        assertThat(InterleavedRows.applies(GgmlType.Q8_0, GROUP - 1, 256)).isFalse();
        assertThat(InterleavedRows.applies(GgmlType.Q6_K, 64, 256)).isTrue();
        assertThat(InterleavedRows.applies(GgmlType.Q6_K, 64, 96)).isFalse();
        assertThat(InterleavedRows.applies(GgmlType.Q4_K, 64, 256)).isTrue();
        assertThat(InterleavedRows.applies(GgmlType.Q5_0, 64, 128)).isEqualTo(GROUP >= 16);
        assertThat(InterleavedRows.applies(GgmlType.Q5_K, 64, 256)).isFalse();
        assertThat(InterleavedRows.applies(GgmlType.F16, 64, 256)).isFalse();
    }

    /** A group is a vector's 16-bit lanes, and a line one vector: what makes every layout lane-wise at any width. */
    @Test
    void aGroupIsOneVectorOfSixteenBitLanes() {
        assertThat(GROUP).isEqualTo(ShortVector.SPECIES_PREFERRED.length());
        assertThat(InterleavedRows.LINE).isEqualTo(2 * GROUP);
        assertThat(InterleavedRows.FLOATS.length()).isEqualTo(InterleavedRows.HALF);
    }

    /** Where a block's fp16 scale lies: first, except in Q6_K. */
    private static int superScaleAt(GgmlType type) {
        return type == GgmlType.Q6_K ? 208 : 0;
    }

    @Test
    void q4_KBlockSumsAtTheirBoundsStayExact() {
        int rows = 32;
        int cols = 512;
        // codes 0 and 15 in alternate rows, scales and mins 63 or spread over 0..63, against codes ±127
        byte[] data = new byte[rows * cols / 256 * 144];
        for (int block = 0; block < rows * cols / 256; block++) {
            int row = block / (cols / 256);
            int at = block * 144;
            Bits.putF16(data, at, 1.0f);
            Bits.putF16(data, at + 2, 0.5f);
            for (int i = 0; i < 12; i++) {
                data[at + 4 + i] = (byte) (row < 2 ? 0xFF : row * 37 + i * 11);
            }
            Arrays.fill(data, at + 16, at + 144, (byte) (row % 2 == 0 ? 0 : 0xFF));
        }
        assertAtBounds(GgmlType.Q4_K, data, rows, cols);
    }

    private static void assertMatchesDecodedRows(GgmlType type, byte[] data, int rows, int cols, float[] x, double relative, String what) {
        WeightMatrix w = new WeightMatrix("w", BlockFormats.of(type), MemorySegment.ofArray(data), 0, rows, cols);
        InterleavedRows grouped = InterleavedRows.of(type, w.data(), 0, rows, cols, null);
        assertThat(grouped).isNotNull();
        assertThat(grouped.groups()).isEqualTo(rows / GROUP);
        ActivationFormat f = ActivationFormat.forWeights(type);
        float[] codes = new float[cols];
        float[] scales = new float[cols / f.blockSize()];
        f.quantize(x, 0, codes, 0, scales, 0, cols);
        short[] codes16 = new short[InterleavedRows.preparedLength(cols)];
        short[] sums = new short[cols / InterleavedRows.SUM_RUN];
        InterleavedRows.prepare(codes, codes16, sums, cols);
        float[] out = new float[rows + 3];
        for (int g = 0; g < grouped.groups(); g++) {
            grouped.dot(g, codes16, sums, scales, out, 3 + GROUP * g);
        }
        // a row comes out the same whether its group is computed alone or with its pair's other group
        float[] pairs = new float[rows + 5];
        for (int g = 0; g + 1 < grouped.groups(); g += 2) {
            grouped.dotPair(g, codes16, sums, scales, pairs, 5 + GROUP * g);
            for (int r = GROUP * g; r < GROUP * g + PAIR; r++) {
                assertThat(pairs[5 + r]).as("%s %s, row %d in a pair", type, what, r).isEqualTo(out[3 + r]);
            }
        }
        float[] row = new float[cols];
        for (int r = 0; r < grouped.groups() * GROUP; r++) {
            w.dequantizeRow(r, row, 0);
            double exact = 0;
            double magnitude = 0;
            for (int k = 0; k < cols; k++) {
                double term = (double) row[k] * codes[k] * scales[k / f.blockSize()];
                exact += term;
                magnitude += Math.abs(term);
            }
            assertThat((double) out[3 + r]).as("%s %s, row %d", type, what, r).isCloseTo(exact, within(relative * magnitude));
        }
    }
}
