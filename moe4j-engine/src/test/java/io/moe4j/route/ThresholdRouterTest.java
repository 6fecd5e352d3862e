package io.moe4j.route;

import org.junit.jupiter.api.Test;

import static io.moe4j.route.Gates.assertSelection;
import static io.moe4j.route.Gates.experts;
import static io.moe4j.route.Gates.logitsOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ThresholdRouterTest {
    // native top-4 renormalised: 0.4167, 0.3125, 0.2083, 0.0625
    private static final float[][] TOKEN = logitsOf(new double[] {0.4, 0.3, 0.2, 0.06, 0.04});
    private static final Gating GATING = Gates.softmax(5, 4);

    @Test
    void dropsCandidatesBelowTheThresholdAndRenormalisesTheRest() {
        ExpertSelection s = new ThresholdRouter(0.1, 0).route(0, TOKEN, GATING)[0];
        assertSelection(s, experts(0, 1, 2), 0.4 / 0.9, 0.3 / 0.9, 0.2 / 0.9);
    }

    @Test
    void alwaysKeepsTheMostProbableExpert() {
        assertSelection(new ThresholdRouter(0.99, 0).route(0, TOKEN, GATING)[0], experts(0), 1.0);
    }

    @Test
    void zeroThresholdIsTheNativeTopK() {
        assertThat(new ThresholdRouter(0, 0).route(0, TOKEN, GATING)).isEqualTo(new NativeRouter().route(0, TOKEN, GATING));
    }

    @Test
    void candidatesCanBeAnotherK() {
        // top-2: 0.4 and 0.3 renormalise to 0.571 and 0.429
        assertSelection(new ThresholdRouter(0.45, 2).route(0, TOKEN, GATING)[0], experts(0), 1.0);
        assertSelection(new ThresholdRouter(0.4, 2).route(0, TOKEN, GATING)[0], experts(0, 1), 0.4 / 0.7, 0.3 / 0.7);
    }

    @Test
    void allEqualScoresKeepEveryCandidateAtTheirShareAndOnlyTheFirstAbove() {
        float[][] equal = {{1, 1, 1, 1, 1}};
        assertSelection(new ThresholdRouter(0.25, 0).route(0, equal, GATING)[0], experts(0, 1, 2, 3), 0.25, 0.25, 0.25, 0.25);
        assertSelection(new ThresholdRouter(0.3, 0).route(0, equal, GATING)[0], experts(0), 1.0);
    }

    @Test
    void kLargerThanTheExpertCountConsidersEveryExpert() {
        ExpertSelection s = new ThresholdRouter(0.05, 9).route(0, TOKEN, GATING)[0];
        assertSelection(s, experts(0, 1, 2, 3), 0.4 / 0.96, 0.3 / 0.96, 0.2 / 0.96, 0.06 / 0.96);
    }

    @Test
    void rejectsThresholdsOutsideTheUnitInterval() {
        assertThatThrownBy(() -> new ThresholdRouter(1, 0)).hasMessage("T must be in [0, 1), got 1.0");
        assertThatThrownBy(() -> new ThresholdRouter(-0.1, 0)).hasMessage("T must be in [0, 1), got -0.1");
    }
}
