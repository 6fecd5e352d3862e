package io.moe4j.tensor;

import io.moe4j.gguf.GgmlType;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link ProductTimes}: a timed pool's matrix products by kind, with their bytes and the work between them. */
class ProductTimesTest {

    @Test
    void aKindIsTheWeightNameWithoutLayerOrExpert() {
        assertThat(ProductTimes.kindOf("blk.12.ffn_down_exps.weight[63]")).isEqualTo("ffn_down_exps.weight");
        assertThat(ProductTimes.kindOf("blk.0.attn_q.weight")).isEqualTo("attn_q.weight");
        assertThat(ProductTimes.kindOf("output.weight")).isEqualTo("output.weight");
        assertThat(ProductTimes.kindOf("blk.x.odd")).isEqualTo("blk.x.odd");
        assertThat(ProductTimes.kindOf("w")).isEqualTo("w");
    }

    @Test
    void operationsAddUpByKindAndTheWorkBeforeEachIsTheGapSinceTheLast() {
        ProductTimes times = new ProductTimes();
        times.startRun();
        times.add("a", 3, 300, 1_000, 1_500);
        times.add("b", 1, 50, 1_700, 1_800);
        times.add("a", 3, 300, 2_000, 2_600);
        times.startRun();
        times.add("b", 1, 50, 9_000, 9_100);
        List<ProductTimes.Kind> kinds = times.kinds();
        assertThat(kinds).extracting(ProductTimes.Kind::name).containsExactly("a", "b");
        assertThat(kinds.get(0)).isEqualTo(new ProductTimes.Kind("a", 2, 6, 1_100, 600, 200));
        // the first operation of each run has no work before it counted: that time is the run's set-up
        assertThat(kinds.get(1)).isEqualTo(new ProductTimes.Kind("b", 2, 2, 200, 100, 200));
        assertThat(kinds.get(0).gigabytesPerSecond()).isEqualTo(600.0 / 1_100);
    }

    /** Each {@link Matmul.Products} operation of a timed pool counts once, under its first matrix's kind, with all its matrices' bytes. */
    @Test
    void aTimedPoolCountsEachProductsOperation() {
        Random rnd = new Random(3);
        GgmlType type = GgmlType.Q8_0;
        int rows = 64;
        int cols = 256;
        MemorySegment data = MemorySegment.ofArray(TestData.randomBlocks(type, rows * cols / type.blockSize(), rnd, () -> 0.02));
        WeightMatrix q = new WeightMatrix("blk.0.attn_q.weight", BlockFormats.of(type), data, 0, rows, cols);
        WeightMatrix k = new WeightMatrix("blk.0.attn_k.weight", BlockFormats.of(type), data, 0, rows / 2, cols);
        float[][] x = {new float[cols]};
        float[][] out = {new float[rows]};
        try (ComputePool pool = new ComputePool(2)) {
            OperationTimes times = new OperationTimes();
            pool.timeOperations(times);
            for (int i = 0; i < 3; i++) {
                Matmul.products().add(q, x, 0, out, 0).add(k, x, 0, out, 0).apply(pool);
            }
            pool.timeOperations(null);
            Matmul.apply(pool, q, x, 0, out, 0);
            List<ProductTimes.Kind> kinds = times.products().kinds();
            assertThat(kinds).hasSize(1);
            ProductTimes.Kind kind = kinds.getFirst();
            assertThat(kind.name()).isEqualTo("attn_q.weight");
            assertThat(kind.operations()).isEqualTo(3);
            assertThat(kind.products()).isEqualTo(6);
            assertThat(kind.bytes()).isEqualTo(3 * (q.byteSize() + k.byteSize()));
            assertThat(kind.nanos()).isPositive();
            assertThat(kind.nanosBefore()).isNotNegative();
        }
    }
}
