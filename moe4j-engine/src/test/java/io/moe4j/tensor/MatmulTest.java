package io.moe4j.tensor;

import io.moe4j.gguf.GgmlType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.FieldSource;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * {@link Matmul} against a naive double-precision product of the dequantized rows with the activations
 * rounded as llama.cpp rounds them. Row counts are not multiples of the panel, and batch sizes cover the fused
 * kernel (1, 2 tokens), row quads in groups of four tokens (4, 8), their leftovers (3, 5, 6, 7) and leftover rows, and panels
 * (40 and 150 tokens, over more columns than one slice for the 256-value block types). Within 5e-7 of the sum of
 * the products' magnitudes, a few float roundings, at every vector width (the width executions run this class too;
 * a wrongly decoded weight is off by a thousandth of it).
 */
class MatmulTest {
    static final List<GgmlType> TYPES = TestData.TYPES;

    @ParameterizedTest
    @FieldSource("TYPES")
    void everyBatchSizeMatchesNaiveProduct(GgmlType type) {
        Random rnd = new Random(11 + type.ordinal());
        int cols = type.blockSize() == 256 ? 512 : 96;
        int rows = 2 * Lanes.LENGTH + 5;
        byte[] data = TestData.randomBlocks(type, rows * cols / type.blockSize(), rnd, () -> rnd.nextGaussian() * 0.02);
        WeightMatrix w = new WeightMatrix("w", BlockFormats.of(type), MemorySegment.ofArray(data), 0, rows, cols);
        assertMatchesNaiveProduct(w, new int[] {1, 2, 3, 4, 5, 6, 7, 8, 40, 150}, rnd);
    }

    /**
     * {@link Matmul#apply} of {@code w} with random activations, at an offset, into outputs at an offset, for each
     * batch size, against the double-precision product of the decoded rows with the rounded activations.
     */
    private static void assertMatchesNaiveProduct(WeightMatrix w, int[] batchSizes, Random rnd) {
        int rows = w.rows();
        int cols = w.cols();
        GgmlType type = w.format().type();
        try (ComputePool pool = new ComputePool(2)) {
            for (int tokens : batchSizes) {
                int xOffset = 3;
                float[][] x = new float[tokens][];
                for (int t = 0; t < tokens; t++) {
                    x[t] = TestData.gaussian(rnd, cols + xOffset, 1.0);
                }
                float[][] out = new float[tokens][rows + 2];
                Matmul.apply(pool, w, x, xOffset, out, 2);
                float[] row = new float[cols];
                float[] rounded = new float[cols];
                ActivationFormat f = ActivationFormat.forWeights(type);
                for (int t = 0; t < tokens; t++) {
                    f.round(x[t], xOffset, rounded, 0, cols);
                    for (int r = 0; r < rows; r++) {
                        w.dequantizeRow(r, row, 0);
                        double exact = 0;
                        double magnitude = 0;
                        for (int k = 0; k < cols; k++) {
                            exact += (double) row[k] * rounded[k];
                            magnitude += Math.abs((double) row[k] * rounded[k]);
                        }
                        assertThat((double) out[t][2 + r]).as("%s, %d tokens, token %d, row %d", type, tokens, t, r)
                                .isCloseTo(exact, within(5e-7 * magnitude + 1e-30));
                    }
                }
            }
        }
    }

    @Test
    void scaledCodesGiveTheRoundedActivationsProduct() {
        Random rnd = new Random(3);
        for (GgmlType type : List.of(GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q5_1, GgmlType.Q4_K, GgmlType.Q6_K)) {
            int cols = 512;
            byte[] data = TestData.randomBlocks(type, cols / type.blockSize(), rnd, () -> rnd.nextGaussian() * 0.02);
            MemorySegment seg = MemorySegment.ofArray(data);
            BlockFormat format = BlockFormats.of(type);
            ActivationFormat f = ActivationFormat.forWeights(type);
            float[] x = TestData.gaussian(rnd, cols, 1.0);
            float[] codes = new float[cols];
            float[] scales = new float[cols / f.blockSize()];
            f.quantize(x, 0, codes, 0, scales, 0, cols);
            float[] rounded = new float[cols];
            f.round(x, 0, rounded, 0, cols);
            for (int i = 0; i < cols; i++) {
                assertThat(codes[i]).as("codes are integers").isEqualTo((float) Math.rint(codes[i]));
                assertThat(codes[i] * scales[i / f.blockSize()]).isEqualTo(rounded[i]);
            }
            float viaCodes = format.dot(seg, 0, codes, 0, scales, 0, cols);
            float viaRounded = format.dot(seg, 0, rounded, 0, cols);
            assertThat(viaCodes).as(type.toString()).isCloseTo(viaRounded, within(1e-5f * (Math.abs(viaRounded) + 1)));
        }
    }

    @Test
    void productsAppliedTogetherEqualProductsAppliedAlone() {
        Random rnd = new Random(5);
        GgmlType[] types = {GgmlType.Q4_0, GgmlType.Q8_0, GgmlType.F32, GgmlType.Q4_K};
        try (ComputePool pool = new ComputePool(2)) {
            assertTogetherAsAlone(pool, rnd, types, new int[] {40, 53, 66, 79}, new int[] {1, 2, 5, 1}, 512, false, 1);
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_0", "Q8_0", "Q4_K", "Q6_K"})
    void regroupedRowsMatchNaiveProductAtEveryBatchSize(GgmlType type) {
        Random rnd = new Random(17);
        int cols = type.blockSize() == 256 ? 512 : 544;
        int rows = 101;
        byte[] data = TestData.randomBlocks(type, rows * cols / type.blockSize(), rnd, () -> rnd.nextGaussian() * 0.02);
        WeightMatrix w = new WeightMatrix("w", BlockFormats.of(type), MemorySegment.ofArray(data), 0, rows, cols, true);
        assertThat(w.interleaved(null) != null).as("regrouped wherever the type has kernels")
                .isEqualTo(InterleavedRows.applies(type, rows, cols));
        assertMatchesNaiveProduct(w, new int[] {1, 2, 3, 5, 40}, rnd);
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_0", "Q8_0", "Q4_K", "Q6_K"})
    void aBatchThroughRegroupedRowsGivesEachTokenWhatItGetsAlone(GgmlType type) {
        Random rnd = new Random(31);
        int cols = 512;
        int rows = 160;
        byte[] data = TestData.randomBlocks(type, rows * cols / type.blockSize(), rnd, () -> rnd.nextGaussian() * 0.02);
        WeightMatrix w = new WeightMatrix("w", BlockFormats.of(type), MemorySegment.ofArray(data), 0, rows, cols, true);
        // the most the regrouped rows take at once on this machine's vectors (narrower than 512 bits: decode only)
        float[][] x = new float[Math.min(7, InterleavedRows.maxBatch(type))][];
        for (int t = 0; t < x.length; t++) {
            x[t] = TestData.gaussian(rnd, cols, 1.0);
        }
        try (ComputePool pool = new ComputePool(2)) {
            float[][] batch = new float[x.length][rows];
            Matmul.apply(pool, w, x, 0, batch, 0);
            for (int t = 0; t < x.length; t++) {
                float[][] alone = new float[1][rows];
                Matmul.apply(pool, w, new float[][] {x[t]}, 0, alone, 0);
                assertThat(batch[t]).as("%s token %d", type, t).containsExactly(alone[0]);
            }
        }
    }

    @Test
    void floatKernelProductsInOneOperationEqualProductsAlone() {
        // a prefill's products through the float kernels (panels for many tokens on short rows, row quads otherwise)
        // share one operation; rows not a multiple of a panel leave padding between them that no product owns
        Random rnd = new Random(41);
        GgmlType[] types = {GgmlType.F16, GgmlType.Q8_0, GgmlType.Q6_K, GgmlType.Q4_0};
        try (ComputePool pool = new ComputePool(2)) {
            assertTogetherAsAlone(pool, rnd, types, new int[] {70, 33, 129, 64}, new int[] {80, 24, 80, 5}, 256, false, 2);
        }
    }


    @Test
    void batchesSharingRowsInOneOperationEqualBatchesAlone() {
        // a prefill's experts: each takes a subset of the same rows, rounded once for all of them, while a product of
        // another weight type rounds the same rows its own way (Q8_K against Q8_0) and one without a regrouped copy
        // (F16) goes through the float kernels
        Random rnd = new Random(37);
        int cols = 512;
        float[][] rowsOfBatch = new float[9][];
        for (int t = 0; t < rowsOfBatch.length; t++) {
            rowsOfBatch[t] = TestData.gaussian(rnd, cols, 1.0);
        }
        int[][] subsets = {{0, 2, 3, 5, 8}, {1, 2, 3}, {0, 1, 2, 3, 4, 5, 6, 7, 8}, {8, 5, 2}, {4, 6, 7}};
        GgmlType[] types = {GgmlType.Q4_0, GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q8_0, GgmlType.F16};
        Product[] together = new Product[types.length];
        float[][][] alone = new float[types.length][][];
        try (ComputePool pool = new ComputePool(2)) {
            for (int i = 0; i < types.length; i++) {
                int rows = 96;
                byte[] data = TestData.randomBlocks(types[i], rows * cols / types[i].blockSize(), rnd, () -> rnd.nextGaussian() * 0.02);
                WeightMatrix w = new WeightMatrix("w" + i, BlockFormats.of(types[i]), MemorySegment.ofArray(data), 0, rows, cols, true);
                float[][] x = new float[subsets[i].length][];
                for (int j = 0; j < x.length; j++) {
                    x[j] = rowsOfBatch[subsets[i][j]];
                }
                alone[i] = new float[x.length][rows];
                Matmul.apply(pool, w, x, 0, alone[i], 0);
                together[i] = new Product(w, x, 0, new float[x.length][rows], 0);
            }
            applyAll(pool, together);
        }
        for (int i = 0; i < types.length; i++) {
            for (int j = 0; j < subsets[i].length; j++) {
                assertThat(together[i].out()[j]).as("%s, product %d, row %d", types[i], i, j).containsExactly(alone[i][j]);
            }
        }
    }

    @Test
    void productsReadingTheSameRowsInOneOperationEqualProductsAlone() {
        // one activation row shared by products whose weight types round it differently (Q8_0, Q8_K, F16, none)
        // or not at all the same length: each must see its own rounding, however the operation shares work
        Random rnd = new Random(29);
        GgmlType[] types = {GgmlType.Q4_0, GgmlType.Q8_0, GgmlType.Q4_K, GgmlType.Q6_K, GgmlType.F16, GgmlType.F32, GgmlType.Q4_0};
        int[] cols = {512, 512, 512, 512, 512, 512, 256};
        float[] row = TestData.gaussian(rnd, 512, 1.0);
        float[][] x = {row};
        Product[] together = new Product[types.length];
        float[][][] alone = new float[types.length][][];
        try (ComputePool pool = new ComputePool(2)) {
            for (int i = 0; i < types.length; i++) {
                int rows = 128; // enough work for the operation to be split among the threads
                byte[] data = TestData.randomBlocks(types[i], rows * cols[i] / types[i].blockSize(), rnd, () -> rnd.nextGaussian() * 0.02);
                WeightMatrix w = new WeightMatrix("w" + i, BlockFormats.of(types[i]), MemorySegment.ofArray(data), 0, rows, cols[i], true);
                alone[i] = new float[1][rows];
                Matmul.apply(pool, w, x, 0, alone[i], 0);
                together[i] = new Product(w, x, 0, new float[1][rows], 0);
            }
            applyAll(pool, together);
        }
        for (int i = 0; i < types.length; i++) {
            assertThat(together[i].out()[0]).as("%s x %d", types[i], cols[i]).containsExactly(alone[i][0]);
        }
    }

    @Test
    void regroupedRowsDoNotDependOnHowThreadsSplitThem() {
        Random rnd = new Random(23);
        int cols = 256;
        // a 40-row product first puts the regrouped matrix's rows off the 32-row grid of the split
        byte[] first = TestData.randomBlocks(GgmlType.Q4_K, 40 * cols / 256, rnd, () -> 0.02);
        // enough rows for the operation to be split among the threads
        byte[] second = TestData.randomBlocks(GgmlType.Q4_0, 1024 * cols / 32, rnd, () -> 0.02);
        WeightMatrix a = new WeightMatrix("a", BlockFormats.of(GgmlType.Q4_K), MemorySegment.ofArray(first), 0, 40, cols, true);
        WeightMatrix b = new WeightMatrix("b", BlockFormats.of(GgmlType.Q4_0), MemorySegment.ofArray(second), 0, 1024, cols, true);
        float[][] x = {TestData.gaussian(rnd, cols, 1.0)};
        float[][] alone = new float[1][1024];
        Matmul.apply(null, b, x, 0, alone, 0);
        for (int threads : new int[] {2, 3}) {
            try (ComputePool pool = new ComputePool(threads)) {
                float[][] outA = new float[1][40];
                float[][] outB = new float[1][1024];
                applyAll(pool, new Product(a, x, 0, outA, 0), new Product(b, x, 0, outB, 0));
                assertThat(outB[0]).as("%d threads", threads).containsExactly(alone[0]);
            }
        }
    }

    @Test
    void foldedDecodeProductsMatchThePairKernelHoweverThreadsSplitThem() {
        Random rnd = new Random(29);
        int cols = 256;
        // decode products of Q4_0 matrices with whole pairs of item pairs: their rows are split in folded order, two
        // streams half a matrix apart (one with an odd count of pairs in each half)
        int folded = 2 * InterleavedRows.PAIR; // the rows of two pairs of groups: 128 with 512-bit vectors
        int[] rows = {8 * folded, 9 * folded, 5 * folded};
        WeightMatrix[] w = new WeightMatrix[rows.length];
        for (int i = 0; i < rows.length; i++) {
            byte[] data = TestData.randomBlocks(GgmlType.Q4_0, rows[i] * cols / 32, rnd, () -> rnd.nextGaussian() * 0.02);
            w[i] = new WeightMatrix("w" + i, BlockFormats.of(GgmlType.Q4_0), MemorySegment.ofArray(data), 0, rows[i], cols, true);
        }
        float[][] x = {TestData.gaussian(rnd, cols, 1.0)};
        float[] codes = new float[cols];
        float[] scales = new float[cols / 32];
        ActivationFormat.Q8_0.quantize(x[0], 0, codes, 0, scales, 0, cols);
        short[] codes16 = new short[InterleavedRows.preparedLength(cols)];
        short[] sums = new short[cols / InterleavedRows.SUM_RUN];
        InterleavedRows.prepare(codes, codes16, sums, cols);
        for (int threads : new int[] {2, 3}) {
            try (ComputePool pool = new ComputePool(threads)) {
                Product[] products = new Product[rows.length];
                for (int i = 0; i < rows.length; i++) {
                    products[i] = new Product(w[i], x, 0, new float[1][rows[i] + 3], 3);
                }
                applyAll(pool, products);
                for (int i = 0; i < rows.length; i++) {
                    InterleavedRows groups = w[i].interleaved(pool);
                    float[] expected = new float[rows[i]];
                    for (int g = 0; g < rows[i] / InterleavedRows.GROUP; g += 2) {
                        groups.dotPair(g, codes16, sums, scales, expected, InterleavedRows.GROUP * g);
                    }
                    float[] actual = java.util.Arrays.copyOfRange(products[i].out()[0], 3, rows[i] + 3);
                    assertThat(actual).as("%d rows, %d threads", rows[i], threads).containsExactly(expected);
                }
            }
        }
    }

    /**
     * A folded decode product beside a batch through the float kernels' panels in one operation: the operation aligns
     * its chunks to the folded order's grid, which whole panels fit too (aligned to panels only, a chunk cut a folded
     * product's item pair and the operation failed).
     */
    @Test
    void foldedProductsBesidePanelsOfABatchGiveWhatEachGivesAlone() {
        Random rnd = new Random(31);
        int folded = 2 * InterleavedRows.PAIR;
        GgmlType[] types = {GgmlType.Q4_0, GgmlType.Q8_0, GgmlType.Q4_0};
        for (int threads : new int[] {2, 3}) {
            try (ComputePool pool = new ComputePool(threads)) {
                assertTogetherAsAlone(pool, rnd, types, new int[] {8 * folded, 3 * folded + 40, 4 * folded}, new int[] {1, 40, 1}, 512, true, 1);
            }
        }
    }

    /**
     * Random products of {@code types}, with {@code rows} and {@code tokens} each, applied alone and then as one
     * operation (outputs at {@code offset}): each token's rows must come out the same, and nothing before the offset
     * be written.
     */
    private static void assertTogetherAsAlone(ComputePool pool, Random rnd, GgmlType[] types, int[] rows, int[] tokens, int cols,
                                              boolean interleave, int offset) {
        Product[] together = new Product[types.length];
        float[][][] alone = new float[types.length][][];
        for (int i = 0; i < types.length; i++) {
            byte[] data = TestData.randomBlocks(types[i], rows[i] * cols / types[i].blockSize(), rnd, () -> rnd.nextGaussian() * 0.02);
            WeightMatrix w = new WeightMatrix("w" + i, BlockFormats.of(types[i]), MemorySegment.ofArray(data), 0, rows[i], cols, interleave);
            float[][] x = new float[tokens[i]][];
            for (int t = 0; t < x.length; t++) {
                x[t] = TestData.gaussian(rnd, cols, 1.0);
            }
            alone[i] = new float[x.length][rows[i]];
            Matmul.apply(pool, w, x, 0, alone[i], 0);
            together[i] = new Product(w, x, 0, new float[x.length][rows[i] + offset], offset);
        }
        applyAll(pool, together);
        for (int i = 0; i < types.length; i++) {
            for (int t = 0; t < tokens[i]; t++) {
                float[] actual = java.util.Arrays.copyOfRange(together[i].out()[t], offset, rows[i] + offset);
                assertThat(actual).as("%s token %d, %d threads", types[i], t, pool.threads()).containsExactly(alone[i][t]);
                assertThat(together[i].out()[t][0]).as("%s token %d: before its offset", types[i], t).isZero();
            }
        }
    }

    /** One product of a {@link Matmul#products()} list. */
    private record Product(WeightMatrix w, float[][] x, int xOffset, float[][] out, int outOffset) {
    }

    /** The products, added to this thread's list in order and run as one operation. */
    private static void applyAll(ComputePool pool, Product... products) {
        Matmul.Products list = Matmul.products();
        for (Product p : products) {
            list.add(p.w(), p.x(), p.xOffset(), p.out(), p.outOffset());
        }
        list.apply(pool);
    }
}
