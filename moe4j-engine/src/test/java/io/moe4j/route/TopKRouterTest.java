package io.moe4j.route;

import org.junit.jupiter.api.Test;

import static io.moe4j.route.Gates.assertSelection;
import static io.moe4j.route.Gates.experts;
import static io.moe4j.route.Gates.logitsOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TopKRouterTest {
    private static final float[][] ONE_TOKEN = logitsOf(new double[] {0.1, 0.4, 0.2, 0.3});

    @Test
    void takesTheKMostProbableAndRenormalisesLikeTheModel() {
        ExpertSelection s = new TopKRouter(3).route(0, ONE_TOKEN, Gates.softmax(4, 2))[0];
        assertSelection(s, experts(1, 3, 2), 0.4 / 0.9, 0.3 / 0.9, 0.2 / 0.9);
    }

    @Test
    void keepsRawProbabilitiesWhenTheModelDoesNotRenormalise() {
        ExpertSelection s = new TopKRouter(2).route(0, ONE_TOKEN, Gates.softmaxNotRenormalised(4, 4))[0];
        assertSelection(s, experts(1, 3), 0.4, 0.3);
    }

    @Test
    void tiesGoToTheLowerExpertIndex() {
        float[][] logits = {{1, 2, 2, 0}};
        assertSelection(new TopKRouter(1).route(0, logits, Gates.softmax(4, 2))[0], experts(1), 1.0);
        assertSelection(new TopKRouter(2).route(0, logits, Gates.softmax(4, 2))[0], experts(1, 2), 0.5, 0.5);
    }

    @Test
    void allEqualScoresGiveTheFirstKExpertsEqualWeights() {
        ExpertSelection s = new TopKRouter(3).route(0, new float[][] {{0.5f, 0.5f, 0.5f, 0.5f}}, Gates.softmax(4, 2))[0];
        assertSelection(s, experts(0, 1, 2), 1 / 3.0, 1 / 3.0, 1 / 3.0);
    }

    @Test
    void kLargerThanTheExpertCountTakesEveryExpert() {
        ExpertSelection s = new TopKRouter(10).route(0, ONE_TOKEN, Gates.softmax(4, 2))[0];
        assertSelection(s, experts(1, 3, 2, 0), 0.4, 0.3, 0.2, 0.1);
    }

    @Test
    void routesEveryTokenOfTheBatch() {
        float[][] logits = logitsOf(new double[] {0.7, 0.1, 0.1, 0.1}, new double[] {0.1, 0.1, 0.1, 0.7});
        ExpertSelection[] s = new TopKRouter(1).route(0, logits, Gates.softmax(4, 2));
        assertThat(s).hasSize(2);
        assertThat(s[0].experts()).containsExactly(0);
        assertThat(s[1].experts()).containsExactly(3);
    }

    @Test
    void rejectsKBelowOne() {
        assertThatThrownBy(() -> new TopKRouter(0)).hasMessage("K must be at least 1, got 0");
    }
}
