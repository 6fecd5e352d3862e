package io.moe4j.route;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static io.moe4j.route.Gates.assertSelection;
import static io.moe4j.route.Gates.experts;
import static io.moe4j.route.Gates.logitsOf;
import static org.assertj.core.api.Assertions.assertThat;

class RandomRouterTest {
    private static final Gating GATING = Gates.softmax(8, 2);

    private static float[][] randomLogits(int tokens, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] out = new float[tokens][8];
        for (float[] row : out) {
            for (int e = 0; e < 8; e++) {
                row[e] = (float) r.nextGaussian();
            }
            row[0] += 10; // expert 0 would win every native top-k
        }
        return out;
    }

    @Test
    void picksKDistinctExpertsWeightedByTheGateMostProbableFirst() {
        for (ExpertSelection s : new RandomRouter(3, 1).route(0, randomLogits(200, 7), GATING)) {
            int[] e = s.experts();
            assertThat(e).hasSize(3).doesNotHaveDuplicates();
            assertThat(Arrays.stream(e).boxed()).allMatch(x -> x >= 0 && x < 8);
            double sum = 0;
            for (int i = 0; i < 3; i++) {
                sum += s.weight(i);
                if (i > 0) {
                    assertThat(s.weight(i)).isLessThanOrEqualTo(s.weight(i - 1));
                }
            }
            assertThat(sum).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-5));
        }
    }

    @Test
    void choosesUniformlyRegardlessOfTheGate() {
        int[] count = new int[8];
        for (ExpertSelection s : new RandomRouter(2, 3).route(0, randomLogits(4000, 11), GATING)) {
            for (int e : s.experts()) {
                count[e]++;
            }
        }
        // 8000 picks, 1000 per expert expected; binomial sd is about 30
        assertThat(Arrays.stream(count).boxed()).allMatch(c -> c > 850 && c < 1150);
    }

    @Test
    void aTokenGetsTheSameExpertsAloneAsInABatch() {
        float[][] batch = randomLogits(10, 5);
        RandomRouter router = new RandomRouter(2, 42);
        ExpertSelection[] batched = router.route(3, batch, GATING);
        for (int t = 0; t < batch.length; t++) {
            assertThat(router.route(3, new float[][] {batch[t]}, GATING)[0]).isEqualTo(batched[t]);
        }
    }

    @Test
    void seedsAndLayersChangeTheDraw() {
        float[][] batch = randomLogits(50, 5);
        ExpertSelection[] a = new RandomRouter(2, 1).route(0, batch, GATING);
        assertThat(new RandomRouter(2, 2).route(0, batch, GATING)).isNotEqualTo(a);
        assertThat(new RandomRouter(2, 1).route(1, batch, GATING)).isNotEqualTo(a);
        assertThat(new RandomRouter(2, 1).route(0, batch, GATING)).isEqualTo(a);
    }

    @Test
    void kLargerThanTheExpertCountTakesEveryExpert() {
        ExpertSelection s = new RandomRouter(20, 0).route(0, logitsOf(new double[] {0.1, 0.4, 0.2, 0.3}), Gates.softmax(4, 2))[0];
        assertSelection(s, experts(1, 3, 2, 0), 0.4, 0.3, 0.2, 0.1);
    }
}
