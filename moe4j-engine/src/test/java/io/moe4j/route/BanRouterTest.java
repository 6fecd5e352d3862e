package io.moe4j.route;

import org.junit.jupiter.api.Test;

import static io.moe4j.route.Gates.assertSelection;
import static io.moe4j.route.Gates.experts;
import static io.moe4j.route.Gates.logitsOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BanRouterTest {
    // expert 1 would win; without it the softmax over the rest is 0.25, 0.5, 0.25
    private static final float[][] TOKEN = logitsOf(new double[] {0.1, 0.6, 0.2, 0.1});

    @Test
    void aBannedWinnerIsReplacedByTheNextExperts() {
        ExpertSelection s = new BanRouter(new NativeRouter(), 1).route(0, TOKEN, Gates.softmax(4, 2))[0];
        assertSelection(s, experts(2, 0), 0.5 / 0.75, 0.25 / 0.75);
    }

    @Test
    void withoutRenormalisationTheGateIsASoftmaxOverTheRemainingExperts() {
        ExpertSelection s = new BanRouter(new NativeRouter(), 1).route(0, TOKEN, Gates.softmaxNotRenormalised(4, 2))[0];
        assertSelection(s, experts(2, 0), 0.5, 0.25);
    }

    @Test
    void aPolicyAskingForEveryExpertStillNeverGetsTheBannedOne() {
        ExpertSelection s = new BanRouter(new TopKRouter(4), 1).route(0, TOKEN, Gates.softmax(4, 2))[0];
        assertSelection(s, experts(2, 0, 3), 0.5, 0.25, 0.25);
    }

    @Test
    void wrapsAnyPolicy() {
        ExpertSelection s = new BanRouter(new TopPRouter(0.5, 1, 8), 1, 2).route(0, TOKEN, Gates.softmax(4, 2))[0];
        assertSelection(s, experts(0), 1.0);
    }

    @Test
    void leavesTheGateScoresOfTheCallerUntouched() {
        float[][] logits = {TOKEN[0].clone()};
        new BanRouter(new NativeRouter(), 1).route(0, logits, Gates.softmax(4, 2));
        assertThat(logits[0]).containsExactly(TOKEN[0]);
    }

    @Test
    void banningEveryExpertFails() {
        assertThatThrownBy(() -> new BanRouter(new NativeRouter(), 0, 1, 2, 3).route(5, TOKEN, Gates.softmax(4, 2)))
                .hasMessage("every expert of layer 5 is banned");
    }
}
