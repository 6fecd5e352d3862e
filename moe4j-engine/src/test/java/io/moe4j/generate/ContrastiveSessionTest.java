package io.moe4j.generate;

import io.moe4j.model.Architectures;
import io.moe4j.model.MoeModel;
import io.moe4j.route.RouteSpec;
import io.moe4j.tensor.ComputePool;
import io.moe4j.testing.Shared;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ContrastiveSessionTest {

    private static float[] ln(double... p) {
        float[] out = new float[p.length];
        for (int i = 0; i < p.length; i++) {
            out[i] = (float) Math.log(p[i]);
        }
        return out;
    }

    @Test
    void contrastsPlausibleTokensAndRanksTheRestBelowThem() {
        float[] strong = ln(0.6, 0.3, 0.09, 0.01);
        float[] weak = ln(0.3, 0.3, 0.3, 0.1);
        float[] out = ContrastiveSession.combine(strong, weak, 0.5, 0.1);
        // plausible: p ≥ 0.1 × 0.6; scores s + 0.5 (s - w)
        assertThat((double) out[0]).isCloseTo(Math.log(0.6) + 0.5 * Math.log(2), within(1e-5));
        assertThat((double) out[1]).isCloseTo(Math.log(0.3), within(1e-5));
        assertThat((double) out[2]).isCloseTo(Math.log(0.09) + 0.5 * Math.log(0.3), within(1e-5));
        // implausible: its strong score, here already below the lowest contrasted one
        assertThat((double) out[3]).isCloseTo(Math.log(0.01), within(1e-5));
    }

    @Test
    void implausibleTokensAreCappedAtTheLowestContrastedScore() {
        // the weak model loves token 1, pushing its contrasted score below implausible token 2's strong score
        float[] out = ContrastiveSession.combine(ln(0.88, 0.1, 0.02), ln(0.001, 0.998, 0.001), 1.0, 0.1);
        assertThat((double) out[1]).isCloseTo(2 * Math.log(0.1) - Math.log(0.998), within(1e-5));
        assertThat(out[2]).isEqualTo(out[1]);
    }

    @Test
    void alphaZeroContrastsEveryToken() {
        float[] out = ContrastiveSession.combine(ln(0.9, 0.1), ln(0.5, 0.5), 1.0, 0);
        assertThat((double) out[1]).isCloseTo(2 * Math.log(0.1) - Math.log(0.5), within(1e-5));
    }

    @Test
    void betaZeroScoresLikeTheStrongModelAlone() throws Exception {
        int[] tokens = new SplittableRandom(3).ints(65, 0, 512).toArray();
        try (MoeModel model = Architectures.load(Shared.file("models/synthetic/tiny-mixtral-f32.gguf"));
             ComputePool pool = new ComputePool(1)) {
            Perplexity.Result strong = Perplexity.evaluate(new Session(model, pool, 32).routing(RouteSpec.parse("native")), tokens, 32, 0, null);
            Decoding.Opened contrast = Decoding.contrastive(ContrastSpec.parse("strong=native,weak=topk:1,beta=0,alpha=0.1"))
                    .open(model, pool, 32, null);
            Perplexity.Result r = Perplexity.evaluate(contrast.source(), tokens, 32, 0, null);
            assertThat(r.meanNll()).isCloseTo(strong.meanNll(), within(1e-5));
            // two passes: the strong one with the model's k, the weak one with a single expert
            assertThat(contrast.expertsPerToken()).isEqualTo(model.config().expertsPerToken() + 1.0);

            Perplexity.Result contrasted = Perplexity.evaluate(
                    Decoding.contrastive(ContrastSpec.parse("beta=0.5")).open(model, pool, 32, null).source(), tokens, 32, 0, null);
            assertThat(contrasted.meanNll()).isNotCloseTo(strong.meanNll(), within(1e-3));
        }
    }

    @Test
    void generationFollowsTheContrastedScores() throws Exception {
        try (MoeModel model = Architectures.load(Shared.file("models/synthetic/tiny-olmoe-f32.gguf"));
             ComputePool pool = new ComputePool(1)) {
            ContrastSpec spec = ContrastSpec.parse("beta=2,alpha=0");
            ContrastiveSession session = new ContrastiveSession(new Session(model, pool, 16), new Session(model, pool, 16), spec);
            List<Integer> generated = new java.util.ArrayList<>();
            Generator.generate(session, new int[] {5, 6, 7}, 4, new Sampler(SamplerSettings.GREEDY), t -> false, generated::add);
            // replay: each token is the arg-max of the combined scores of two independent sessions
            Session strong = new Session(model, pool, 16).routing(spec.strong());
            Session weak = new Session(model, pool, 16).routing(spec.weak());
            float[] s = strong.feed(5, 6, 7);
            float[] w = weak.feed(5, 6, 7);
            for (int token : generated) {
                assertThat(token).isEqualTo(Sampler.argmax(ContrastiveSession.combine(s, w, 2, 0)));
                s = strong.feed(token);
                w = weak.feed(token);
            }
            assertThat(session.position()).isEqualTo(3 + generated.size() - 1);
        }
    }
}
