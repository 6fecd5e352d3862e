package io.moe4j.generate;

import io.moe4j.model.Architectures;
import io.moe4j.model.KvCache;
import io.moe4j.model.MoeModel;
import io.moe4j.route.RoutingPlan;
import io.moe4j.tensor.ComputePool;
import io.moe4j.testing.Shared;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A decode loop reuses one logits row, and gets what a batch over the same tokens gets. */
class SessionTest {

    @Test
    void feedReusesItsLogitsRowAndMatchesTheBatch() {
        try (MoeModel model = Architectures.load(Shared.file("models/synthetic/tiny-qwen3moe-f32.gguf"));
             ComputePool pool = new ComputePool(2)) {
            int[] tokens = {1, 7, 3, 42, 5};
            Session batch = new Session(model, pool, 16);
            float[][] all = batch.feedAll(tokens);

            Session stepwise = new Session(model, pool, 16);
            float[] first = stepwise.feed(tokens[0]);
            float[] firstCopy = first.clone();
            assertThat(first).containsExactly(all[0], org.assertj.core.data.Offset.offset(1e-4f));
            float[] last = null;
            for (int t = 1; t < tokens.length; t++) {
                last = stepwise.feed(tokens[t]);
                assertThat(last).as("token %d", t).containsExactly(all[t], org.assertj.core.data.Offset.offset(1e-4f));
            }
            assertThat(last).isSameAs(first);
            assertThat(last).isNotEqualTo(firstCopy);
        }
    }

    /**
     * Past a few dozen cached positions a decode step's heads are split among the threads: each thread must
     * attend with its own scratch, and every logit come out as on one thread.
     */
    @Test
    void decodingOnTwoThreadsGivesWhatOneThreadGives() {
        try (MoeModel model = Architectures.load(Shared.file("models/synthetic/tiny-qwen3moe-q8_0.gguf"));
             ComputePool one = new ComputePool(1);
             ComputePool two = new ComputePool(2)) {
            Session alone = new Session(model, one, 64);
            Session shared = new Session(model, two, 64);
            for (int t = 0; t < 64; t++) {
                int token = (t * 97) % 512;
                float[] expected = alone.feed(token).clone();
                assertThat(shared.feed(token)).as("position %d", t).containsExactly(expected);
            }
        }
    }

    @Test
    void logitsRowsMustFitTheBatchAndTheVocabulary() {
        try (MoeModel model = Architectures.load(Shared.file("models/synthetic/tiny-qwen3moe-f32.gguf"));
             ComputePool pool = new ComputePool(1)) {
            KvCache cache = new KvCache(model.config(), 8);
            int vocab = model.output().rows();
            assertThatThrownBy(() -> model.forward(pool, new int[] {1, 2, 3}, 0, cache, RoutingPlan.NATIVE, null, new float[2][vocab]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 logits rows for 3 tokens");
            assertThatThrownBy(() -> model.forward(pool, new int[] {1}, 0, cache, RoutingPlan.NATIVE, null, new float[1][vocab - 1]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vocabulary");
        }
    }
}
