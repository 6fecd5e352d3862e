package io.moe4j.model;

import io.moe4j.route.RoutingPlan;
import io.moe4j.tensor.ComputePool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every fixture of {@code reference/logits/manifest.json}: our logits against llama.cpp's, per position.
 *
 * <p>The engine reproduces llama.cpp's arithmetic, not only its mathematics: activations are rounded to
 * the precision llama.cpp gives them for each weight type (8-bit blocks for quantized weights, F16 for F16
 * weights), keys and values are stored as F16, and attention accumulates values in F16 as llama.cpp's CPU
 * flash-attention kernel does. What remains is the order of float summation (SIMD lanes, threads), which
 * moves results by a few units in the last place and is amplified only where a rounding step (F16, 8-bit)
 * happens to fall near a tie.
 *
 * <p>Tolerances (max |ours - llama.cpp| over all positions and the vocabulary; measured values in brackets
 * were taken on this machine, logits are of magnitude ~15):
 * <ul>
 *   <li>synthetic models, every type: 0.02 [0 to 0.0037; 0 exactly for 8 of the 12 files];</li>
 *   <li>tiny-code-moe F16: 0.02 [0.0059];</li>
 *   <li>tiny-code-moe Q8_0 and Q4_K_M: 0.15 [0.072, 0.073]. A real model's hidden states are larger and
 *   its 8-bit activation blocks see more ties; still 5x below the 0.72 by which llama.cpp's own Q8_0
 *   and F16 logits differ, so a wrongly decoded block (differences of 1 or more) cannot pass.</li>
 * </ul>
 * Cosine similarity per position must stay above 0.9999 and the top-1 token must agree everywhere.
 */
class ReferenceLogitsTest {
    private static ComputePool pool;

    @BeforeAll
    static void startPool() {
        pool = new ComputePool(ComputePool.defaultThreads());
    }

    @AfterAll
    static void stopPool() {
        pool.close();
    }

    record Tolerance(double maxAbsDiff, double minCosine, boolean top1MustAgree) {
    }

    static Tolerance toleranceFor(String fixture) {
        boolean realQuantized = fixture.startsWith("tiny-code-moe") && !fixture.endsWith("-f16");
        return new Tolerance(realQuantized ? 0.15 : 0.02, 0.9999, true);
    }

    @TestFactory
    Stream<DynamicTest> everyFixtureMatchesLlamaCpp() throws IOException {
        return ReferenceLogits.all().stream().map(f -> DynamicTest.dynamicTest(f.name(), () -> {
            try (MoeModel model = Architectures.load(f.model())) {
                KvCache cache = new KvCache(model.config(), f.tokens().length);
                float[][] logits = model.forward(pool, f.tokens(), 0, cache, RoutingPlan.NATIVE, null, true);
                LogitsComparison c = LogitsComparison.of(logits, f.expected());
                Tolerance tol = toleranceFor(f.name());
                System.out.println(f.name() + ": " + c);
                assertThat(c.maxAbsDiff()).as(f.name() + " " + c).isLessThanOrEqualTo(tol.maxAbsDiff());
                assertThat(c.minCosine()).as(f.name() + " " + c).isGreaterThanOrEqualTo(tol.minCosine());
                if (tol.top1MustAgree()) {
                    assertThat(c.top1Mismatches()).as(f.name() + " " + c).isZero();
                }
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> batchedPrefillEqualsOneTokenAtATime() throws IOException {
        return ReferenceLogits.all().stream().filter(f -> f.name().endsWith("q8_0") || f.name().endsWith("f32"))
                .map(f -> DynamicTest.dynamicTest(f.name(), () -> {
                    try (MoeModel model = Architectures.load(f.model())) {
                        int[] tokens = f.tokens();
                        float[][] batched = model.forward(pool, tokens, 0, new KvCache(model.config(), tokens.length),
                                RoutingPlan.NATIVE, null, true);
                        KvCache cache = new KvCache(model.config(), tokens.length);
                        float[][] stepwise = new float[tokens.length][];
                        for (int i = 0; i < tokens.length; i++) {
                            stepwise[i] = model.forward(pool, new int[] {tokens[i]}, i, cache, RoutingPlan.NATIVE, null, false)[0];
                        }
                        LogitsComparison c = LogitsComparison.of(stepwise, batched);
                        // The same arithmetic; only the order of float sums differs (batched attention splits work
                        // differently), amplified where an F16 rounding falls near a tie: measured up to 0.0021.
                        assertThat(c.maxAbsDiff()).as(c.toString()).isLessThan(0.01);
                        assertThat(c.top1Mismatches()).isZero();
                    }
                }));
    }
}
