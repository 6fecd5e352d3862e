package io.moe4j.route;

import org.junit.jupiter.api.Test;

import static io.moe4j.route.Gates.assertSelection;
import static io.moe4j.route.Gates.experts;
import static io.moe4j.route.Gates.logitsOf;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TopPRouterTest {
    private static final float[][] TOKEN = logitsOf(new double[] {0.05, 0.5, 0.3, 0.15});
    private static final Gating GATING = Gates.softmax(4, 2);

    private static ExpertSelection route(TopPRouter r, float[][] logits, Gating g) {
        return r.route(0, logits, g)[0];
    }

    @Test
    void takesTheSmallestPrefixReachingTheMass() {
        assertSelection(route(new TopPRouter(0.7, 1, Integer.MAX_VALUE), TOKEN, GATING), experts(1, 2), 0.5 / 0.8, 0.3 / 0.8);
        assertSelection(route(new TopPRouter(0.9, 1, Integer.MAX_VALUE), TOKEN, GATING), experts(1, 2, 3), 0.5 / 0.95, 0.3 / 0.95, 0.15 / 0.95);
        assertSelection(route(new TopPRouter(0.3, 1, Integer.MAX_VALUE), TOKEN, GATING), experts(1), 1.0);
    }

    @Test
    void pOfOneTakesEveryExpert() {
        assertSelection(route(new TopPRouter(1, 1, Integer.MAX_VALUE), TOKEN, GATING), experts(1, 2, 3, 0), 0.5, 0.3, 0.15, 0.05);
    }

    @Test
    void minAndMaxClampTheCount() {
        assertSelection(route(new TopPRouter(0.1, 3, Integer.MAX_VALUE), TOKEN, GATING), experts(1, 2, 3), 0.5 / 0.95, 0.3 / 0.95, 0.15 / 0.95);
        assertSelection(route(new TopPRouter(0.9, 1, 1), TOKEN, GATING), experts(1), 1.0);
        assertSelection(route(new TopPRouter(0.1, 6, 8), TOKEN, GATING), experts(1, 2, 3, 0), 0.5, 0.3, 0.15, 0.05);
    }

    @Test
    void allEqualScoresTakeExactlyTheMassShare() {
        float[][] equal = {{0, 0, 0, 0, 0, 0, 0, 0}};
        assertSelection(route(new TopPRouter(0.5, 1, Integer.MAX_VALUE), equal, Gates.softmax(8, 2)), experts(0, 1, 2, 3), 0.25, 0.25, 0.25, 0.25);
    }

    @Test
    void tiesAtTheBoundaryGoToTheLowerIndex() {
        // probabilities 0.534, 0.197, 0.197, 0.072: 0.6 needs one of the tied pair
        float[][] logits = {{2, 1, 1, 0}};
        ExpertSelection s = route(new TopPRouter(0.6, 1, Integer.MAX_VALUE), logits, GATING);
        assertSelection(s, experts(0, 1), Math.exp(2) / (Math.exp(2) + Math.E), Math.E / (Math.exp(2) + Math.E));
    }

    @Test
    void sigmoidGatesMeasureMassRelativeToTheirSum() {
        float ln9 = (float) Math.log(9);
        float[][] logits = {{ln9, ln9, -ln9, -ln9}}; // sigmoid: 0.9, 0.9, 0.1, 0.1, sum 2
        Gating sigmoid = new Gating(Gating.Function.SIGMOID, 4, 2, false);
        assertSelection(route(new TopPRouter(0.5, 1, Integer.MAX_VALUE), logits, sigmoid), experts(0, 1), 0.9, 0.9);
        assertSelection(route(new TopPRouter(0.4, 1, Integer.MAX_VALUE), logits, sigmoid), experts(0), 0.9);
    }

    @Test
    void rejectsBadParameters() {
        assertThatThrownBy(() -> new TopPRouter(1.5, 1, 8)).hasMessage("P must be in (0, 1], got 1.5");
        assertThatThrownBy(() -> new TopPRouter(0, 1, 8)).hasMessage("P must be in (0, 1], got 0.0");
        assertThatThrownBy(() -> new TopPRouter(0.5, 0, 8)).hasMessage("min must be at least 1, got 0");
        assertThatThrownBy(() -> new TopPRouter(0.5, 4, 2)).hasMessage("max must be at least min (4), got 2");
    }
}
