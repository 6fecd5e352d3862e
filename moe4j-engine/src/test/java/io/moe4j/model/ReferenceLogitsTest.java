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
 * <p>Tolerances, per weight type (max |ours - llama.cpp| over all positions and the vocabulary):
 * <ul>
 *   <li>F32 and F16 weights: 0.02. We keep activations in F32 while llama.cpp rounds K and V to F16 in
 *   its cache (we do too) and also rounds Q and accumulates V in F16 inside its flash-attention kernel,
 *   and converts activations to F16 for F16 weights. Those roundings (relative 2^-11) give the measured
 *   0.005-0.008 on logits of magnitude ~15; 0.02 leaves a margin of 2.5x, still 1000x below the size of
 *   the logits, so a wrong layer, norm or RoPE (differences of 1 or more) cannot pass.</li>
 *   <li>Quantized weights: llama.cpp multiplies Q8_0/Q4_0/K-quant weights with activations quantized to
 *   8-bit blocks, which we do not (yet) do; the error that adds is that of an 8-bit quantization of every
 *   activation vector. The bounds below are the measured differences with about 2x margin, plus the
 *   requirement that cosine similarity per position stays above a floor and (for the real model) that the
 *   top-1 token agrees everywhere.</li>
 * </ul>
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
        if (fixture.endsWith("-f32") || fixture.endsWith("-f16")) {
            return new Tolerance(0.02, 0.99999, true);
        }
        if (fixture.startsWith("tiny-code-moe")) {
            return fixture.endsWith("q8_0") ? new Tolerance(0.25, 0.9999, true) : new Tolerance(0.5, 0.999, true);
        }
        // Random synthetic weights amplify rounding: a near-tie in the router flips an expert (see shared/README.md).
        return fixture.endsWith("q8_0") ? new Tolerance(0.5, 0.999, false) : new Tolerance(1.5, 0.99, false);
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
                        // Same arithmetic in a different order (batched rows reuse a decoded row): float rounding only.
                        assertThat(c.maxAbsDiff()).as(c.toString()).isLessThan(1e-3);
                        assertThat(c.top1Mismatches()).isZero();
                    }
                }));
    }
}
