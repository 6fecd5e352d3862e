package io.moe4j.generate;

import io.moe4j.model.Architectures;
import io.moe4j.model.MoeModel;
import io.moe4j.route.RouteSpec;
import io.moe4j.tensor.ComputePool;
import io.moe4j.testing.Shared;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class RoutingSweepTest {

    @Test
    void measuresEachDecodingOnTheSameWindows() throws Exception {
        int[] tokens = new SplittableRandom(9).ints(100, 0, 512).toArray();
        try (MoeModel model = Architectures.load(Shared.file("models/synthetic/tiny-qwen2moe-f32.gguf"));
             ComputePool pool = new ComputePool(1)) {
            List<RoutingSweep.Row> heard = new ArrayList<>();
            List<RoutingSweep.Row> rows = RoutingSweep.run(model, pool, List.of(
                    Decoding.routed(RouteSpec.parse("native")),
                    Decoding.routed(RouteSpec.parse("topk:1")),
                    Decoding.contrastive(ContrastSpec.parse("beta=0.5"))), tokens, 16, 3, heard::add);
            assertThat(heard).isEqualTo(rows);
            assertThat(rows).extracting(RoutingSweep.Row::policy)
                    .containsExactly("native", "topk:1", "scmoe:strong=native,weak=topk:1,beta=0.5,alpha=0.1");
            assertThat(rows).extracting(RoutingSweep.Row::nativeRouting).containsExactly(true, false, false);
            assertThat(rows).extracting(r -> r.result().predictions()).containsOnly(48L);
            int k = model.config().expertsPerToken();
            assertThat(rows.get(0).expertsPerToken()).isEqualTo(k);
            assertThat(rows.get(1).expertsPerToken()).isEqualTo(1.0);
            assertThat(rows.get(2).expertsPerToken()).isEqualTo(k + 1.0);
            Perplexity.Result alone = Perplexity.evaluate(new Session(model, pool, 16), tokens, 16, 3, null);
            assertThat(rows.get(0).result().meanNll()).isCloseTo(alone.meanNll(), within(1e-5));
            assertThat(rows.get(0).deltaPercent(rows.get(0))).isZero();
        }
    }

    @Test
    void specsAreCheckedAgainstTheModelBeforeAnythingRuns() throws Exception {
        try (MoeModel model = Architectures.load(Shared.file("models/synthetic/tiny-qwen2moe-f32.gguf"));
             ComputePool pool = new ComputePool(1)) {
            assertThatThrownBy(() -> RoutingSweep.run(model, pool, List.of(Decoding.routed(RouteSpec.parse("native")),
                    Decoding.routed(RouteSpec.parse("ban:9/0"))), new int[100], 16, 1, r -> {
                throw new AssertionError("ran " + r);
            })).hasMessage("bad --route part 'ban:9/0': layer 9 does not exist (the model has 2 MoE layers, 0-1)");
        }
    }
}
