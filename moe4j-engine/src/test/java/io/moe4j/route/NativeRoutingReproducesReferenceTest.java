package io.moe4j.route;

import io.moe4j.model.Architectures;
import io.moe4j.model.KvCache;
import io.moe4j.model.LogitsComparison;
import io.moe4j.model.MoeModel;
import io.moe4j.model.ReferenceLogits;
import io.moe4j.tensor.ComputePool;
import io.moe4j.testing.Corpus;
import io.moe4j.testing.Shared;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code native}, and every spec that must mean the same as native routing on a model, reproduce the
 * engine's own routing exactly, and through it llama.cpp's logits.
 *
 * <p>Exactness is checked on routing decisions: every spec, given the gate scores of a real forward pass,
 * must return bit-identical experts and weights; the MoE layer's output is a function of those alone.
 * Whole forward passes are compared within 1e-4 rather than bit for bit, because the engine itself is not
 * bit-reproducible from one call to the next (on tiny-qwen3moe-f32 the first call and the second differ in
 * the 7th digit: the Vector API's lane reductions round differently before and after JIT compilation).
 */
class NativeRoutingReproducesReferenceTest {
    private static ComputePool pool;

    @BeforeAll
    static void startPool() {
        pool = new ComputePool(ComputePool.defaultThreads());
    }

    @AfterAll
    static void stopPool() {
        pool.close();
    }

    private record Routed(int layer, float[][] logits, ExpertSelection[] selections) {
    }

    private static float[][] logits(MoeModel model, int[] tokens, RoutingPlan plan, RoutingListener listener) {
        return model.forward(pool, tokens, 0, new KvCache(model.config(), tokens.length), plan, listener, true);
    }

    /** The gate scores and native selections of every layer of one forward pass. */
    private static List<Routed> nativeRouting(MoeModel model, int[] tokens) {
        List<Routed> routed = new ArrayList<>();
        logits(model, tokens, RoutingPlan.NATIVE, (layer, positions, gateLogits, selections) ->
                routed.add(new Routed(layer, gateLogits, selections)));
        return routed;
    }

    private static void assertSameRoutingAsNative(MoeModel model, List<Routed> routed, String spec) {
        RouteSpec plan = RouteSpec.parse(spec);
        for (Routed r : routed) {
            assertThat(plan.forLayer(r.layer).route(r.layer, r.logits, model.config().gating()))
                    .as(spec + " in layer " + r.layer).isEqualTo(r.selections);
        }
    }

    @Test
    void specsEquivalentToNativeRouteBitIdenticallyOnTheTrainedModel() throws IOException {
        int[] tokens = Arrays.copyOf(Corpus.validTokens(), 24);
        try (MoeModel model = Architectures.load(Shared.file("models/tiny-code-moe/tiny-code-moe-f16.gguf"))) {
            int k = model.config().expertsPerToken();
            List<Routed> routed = nativeRouting(model, tokens);
            assertThat(routed).hasSize(model.config().layerCount());
            for (String spec : new String[] {"native", "topk:" + k, "topp:1,max=" + k, "threshold:0", "budget:" + k,
                    "layers=0-" + (model.config().layerCount() - 1) + ":native", "topk:1;layers=0-4:topk:" + k}) {
                assertSameRoutingAsNative(model, routed, spec);
            }
            float[][] reference = logits(model, tokens, RoutingPlan.NATIVE, null);
            LogitsComparison same = LogitsComparison.of(logits(model, tokens, RouteSpec.parse("native"), null), reference);
            assertThat(same.maxAbsDiff()).as(same.toString()).isLessThan(1e-4);
            // a plan that routes differently does change the logits, so the comparisons above can fail
            LogitsComparison other = LogitsComparison.of(logits(model, tokens, RouteSpec.parse("layers=2:topk:1"), null), reference);
            assertThat(other.maxAbsDiff()).as(other.toString()).isGreaterThan(0.01);
        }
    }

    @Test
    void routingStatsCountTheExpertsEachPolicyEvaluates() throws IOException {
        int[] tokens = Arrays.copyOf(Corpus.validTokens(), 24);
        try (MoeModel model = Architectures.load(Shared.file("models/tiny-code-moe/tiny-code-moe-f16.gguf"))) {
            RoutingStats nativeStats = new RoutingStats();
            logits(model, tokens, RoutingPlan.NATIVE, nativeStats);
            assertThat(nativeStats.expertsPerToken()).isEqualTo(4.0);
            assertThat(nativeStats.evaluations()).isEqualTo(4L * tokens.length * model.config().layerCount());

            RoutingStats mixed = new RoutingStats();
            logits(model, tokens, RouteSpec.parse("topk:2;layers=0:topk:1"), mixed);
            assertThat(mixed.expertsPerToken(0)).isEqualTo(1.0);
            assertThat(mixed.expertsPerToken(1)).isEqualTo(2.0);
            assertThat(mixed.expertsPerToken()).isEqualTo((1.0 + 2 + 2 + 2 + 2) / 5);

            RoutingStats threshold = new RoutingStats();
            logits(model, tokens, RouteSpec.parse("threshold:0.2"), threshold);
            assertThat(threshold.expertsPerToken()).isBetween(1.0, 4.0);
        }
    }

    /** Every F32 fixture (renormalising or not), native routing given as a spec, against llama.cpp. */
    @TestFactory
    Stream<DynamicTest> nativeSpecMatchesLlamaCppOnF32Fixtures() throws IOException {
        return ReferenceLogits.all().stream().filter(f -> f.name().endsWith("-f32")).map(f -> DynamicTest.dynamicTest(f.name(), () -> {
            try (MoeModel model = Architectures.load(f.model())) {
                List<Routed> routed = nativeRouting(model, f.tokens());
                assertSameRoutingAsNative(model, routed, "native");
                assertSameRoutingAsNative(model, routed, "topk:" + model.config().expertsPerToken());
                // same tolerance as ReferenceLogitsTest for F32 weights
                LogitsComparison c = LogitsComparison.of(logits(model, f.tokens(), RouteSpec.parse("native"), null), f.expected());
                assertThat(c.maxAbsDiff()).as(c.toString()).isLessThanOrEqualTo(0.02);
                assertThat(c.top1Mismatches()).as(c.toString()).isZero();
            }
        }));
    }
}
