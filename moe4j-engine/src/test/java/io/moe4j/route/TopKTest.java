package io.moe4j.route;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** Native routing's partial selection against a full stable insertion sort, whose first entries it must reproduce. */
class TopKTest {

    @Test
    void firstEntriesOfTheOrderMatchTheFullSortWithTiesAndNaNs() {
        SplittableRandom random = new SplittableRandom(3);
        for (int trial = 0; trial < 20_000; trial++) {
            int experts = 1 + random.nextInt(70);
            float[] probs = new float[experts];
            int distinct = 1 + random.nextInt(6); // few distinct values: many ties
            for (int e = 0; e < experts; e++) {
                probs[e] = trial % 3 == 0 ? (float) random.nextDouble() : random.nextInt(distinct) / (float) distinct;
                if (trial % 5 == 0 && random.nextInt(12) == 0) {
                    probs[e] = Float.NaN;
                }
            }
            int n = 1 + random.nextInt(experts);
            int[] full = insertionSorted(probs);
            int[] order = new int[experts];
            TopK.firstOfDescending(probs, order, n);
            assertThat(Arrays.copyOf(order, n)).as("probabilities %s, first %d", Arrays.toString(probs), n)
                    .containsExactly(Arrays.copyOf(full, n));
        }
    }

    /** The order by descending probability as a full stable insertion sort makes it, NaNs where they stop it. */
    private static int[] insertionSorted(float[] probs) {
        int n = probs.length;
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = 1; i < n; i++) {
            int e = order[i];
            float p = probs[e];
            int j = i - 1;
            while (j >= 0 && probs[order[j]] < p) {
                order[j + 1] = order[j];
                j--;
            }
            order[j + 1] = e;
        }
        return order;
    }
}
