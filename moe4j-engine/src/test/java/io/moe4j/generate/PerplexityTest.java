package io.moe4j.generate;

import io.moe4j.model.Architectures;
import io.moe4j.model.MoeModel;
import io.moe4j.tensor.ComputePool;
import io.moe4j.testing.Corpus;
import io.moe4j.testing.Shared;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class PerplexityTest {

    /** llama.cpp on the first 64 windows of 512 tokens of valid.bin with the F16 file: ppl 5.7720, mean NLL 1.75302. */
    @Test
    void f16ModelMatchesLlamaCppOnFirst64Windows() throws Exception {
        int[] tokens = Corpus.validTokens();
        try (MoeModel model = Architectures.load(Shared.file("models/tiny-code-moe/tiny-code-moe-f16.gguf"));
             ComputePool pool = new ComputePool(ComputePool.defaultThreads())) {
            Perplexity.Result r = Perplexity.evaluate(new Session(model, pool, 512), tokens, 512, 64, null);
            assertThat(r.predictions()).isEqualTo(32_768);
            assertThat(r.perplexity()).isCloseTo(5.7720, within(5.7720 * 0.005));
            assertThat(r.meanNll()).isCloseTo(1.75302, within(0.005));
        }
    }

    @Test
    void windowsLeaveTheFirstTokenAsContextOnly() {
        assertThat(Perplexity.windowCount(804_159, 512)).isEqualTo(1570);
        assertThat(Perplexity.windowCount(513, 512)).isEqualTo(1);
        assertThat(Perplexity.windowCount(512, 512)).isZero();
    }

    @Test
    void negativeLogLikelihoodOfUniformLogitsIsLogVocabulary() {
        assertThat(Perplexity.negativeLogLikelihood(new float[8], 3)).isCloseTo(Math.log(8), within(1e-12));
    }
}
