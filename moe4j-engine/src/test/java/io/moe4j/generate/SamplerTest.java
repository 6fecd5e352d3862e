package io.moe4j.generate;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The sampler's candidate selection against a stable sort of every id by descending score. */
class SamplerTest {

    @Test
    void candidatesAreTheTopOfAStableSortByScore() {
        Random rnd = new Random(7);
        for (int trial = 0; trial < 50; trial++) {
            int vocab = 1 + rnd.nextInt(3000);
            float[] scores = new float[vocab];
            for (int i = 0; i < vocab; i++) {
                // few distinct values, so that ties are common; now and then -0.0, infinities and NaN
                scores[i] = switch (rnd.nextInt(40)) {
                    case 0 -> -0.0f;
                    case 1 -> Float.NEGATIVE_INFINITY;
                    case 2 -> Float.POSITIVE_INFINITY;
                    case 3 -> Float.NaN;
                    default -> rnd.nextInt(25) / 4f - 3f;
                };
            }
            Integer[] sorted = new Integer[vocab];
            for (int i = 0; i < vocab; i++) {
                sorted[i] = i;
            }
            Arrays.sort(sorted, (a, b) -> Float.compare(scores[b], scores[a]));
            for (int limit : new int[] {1, 5, 40, 256, 300, vocab}) {
                int n = Math.min(limit, vocab);
                int[] expected = Arrays.stream(sorted, 0, n).mapToInt(Integer::intValue).toArray();
                assertThat(Sampler.candidatesByScore(scores, n)).as("vocab %d, limit %d", vocab, n).containsExactly(expected);
            }
        }
    }

    @Test
    void seededSamplingIsReproducible() {
        float[] logits = new float[5000];
        Random rnd = new Random(1);
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) rnd.nextGaussian() * 3;
        }
        Sampler a = new Sampler(SamplerSettings.DEFAULT);
        Sampler b = new Sampler(SamplerSettings.DEFAULT);
        for (int step = 0; step < 20; step++) {
            int token = a.sample(logits, null, 0);
            assertThat(b.sample(logits, null, 0)).isEqualTo(token);
            assertThat(token).isBetween(0, logits.length - 1);
        }
    }
}
