package io.moe4j.generate;

import io.moe4j.model.Architectures;
import io.moe4j.model.MoeModel;
import io.moe4j.tensor.ComputePool;
import io.moe4j.testing.Shared;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The decode warm-up runs once per model, at its first prefill, and leaves no trace in a session's results. */
class DecodeWarmUpTest {

    @Test
    void aModelIsWarmedAtItsFirstPrefillOnly() {
        int[] tokens = {4, 9, 2, 30, 11, 6};
        try (MoeModel model = Architectures.load(Shared.file("models/synthetic/tiny-qwen3moe-f32.gguf"));
             ComputePool pool = new ComputePool(2)) {
            // decoding does not warm up
            new Session(model, pool, 16).feed(3);
            float[] first = new Session(model, pool, 16).feed(tokens).clone();
            assertThat(DecodeWarmUp.beforeFirstPrefill(model, pool)).as("warmed by the first prefill").isFalse();
            // a prefill gives the same logits after the warm-up as at it, bit for bit: the warm-up kept nothing
            assertThat(new Session(model, pool, 16).feed(tokens)).containsExactly(first);
        }
        try (MoeModel other = Architectures.load(Shared.file("models/synthetic/tiny-qwen3moe-f32.gguf"));
             ComputePool pool = new ComputePool(1)) {
            assertThat(DecodeWarmUp.beforeFirstPrefill(other, pool)).as("another model is warmed on its own").isTrue();
            assertThat(DecodeWarmUp.beforeFirstPrefill(other, pool)).isFalse();
        }
    }
}
