package io.moe4j.route;

import org.junit.jupiter.api.Test;

import static io.moe4j.route.Gates.assertSelection;
import static io.moe4j.route.Gates.experts;
import static io.moe4j.route.Gates.logitsOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BudgetRouterTest {
    private static final float[][] BATCH = logitsOf(
            new double[] {0.7, 0.2, 0.05, 0.05},   // confident: its second expert has 0.2
            new double[] {0.4, 0.35, 0.15, 0.1});  // undecided: its second expert has 0.35
    private static final Gating GATING = Gates.softmax(4, 2);

    @Test
    void givesTheSpareEvaluationToTheUndecidedToken() {
        ExpertSelection[] s = new BudgetRouter(1.5, 0).route(0, BATCH, GATING);
        assertSelection(s[0], experts(0), 1.0);
        assertSelection(s[1], experts(0, 1), 0.4 / 0.75, 0.35 / 0.75);
    }

    @Test
    void aBudgetOfTheModelsKIsNativeRouting() {
        assertThat(new BudgetRouter(2, 0).route(0, BATCH, GATING)).isEqualTo(new NativeRouter().route(0, BATCH, GATING));
    }

    @Test
    void aBudgetOfOneIsTopOne() {
        ExpertSelection[] s = new BudgetRouter(1, 0).route(0, BATCH, GATING);
        assertThat(s[0].experts()).containsExactly(0);
        assertThat(s[1].experts()).containsExactly(0);
    }

    @Test
    void maxLetsTokensGoBeyondTheModelsK() {
        // 5 evaluations: top-1 each, then 0.35 (B), 0.2 (A), 0.15 (B)
        ExpertSelection[] s = new BudgetRouter(2.5, 3).route(0, BATCH, GATING);
        assertThat(s[0].experts()).containsExactly(0, 1);
        assertThat(s[1].experts()).containsExactly(0, 1, 2);
    }

    @Test
    void equalNeedsGoToTheEarlierToken() {
        float[][] twins = logitsOf(new double[] {0.5, 0.3, 0.1, 0.1}, new double[] {0.5, 0.3, 0.1, 0.1});
        ExpertSelection[] s = new BudgetRouter(1.5, 0).route(0, twins, GATING);
        assertThat(s[0].experts()).containsExactly(0, 1);
        assertThat(s[1].experts()).containsExactly(0);
    }

    @Test
    void allEqualScoresSpreadTheBudgetInTokenOrder() {
        float[][] equal = {{0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}};
        ExpertSelection[] s = new BudgetRouter(1.67, 0).route(0, equal, GATING); // floor(5.01) = 5
        assertSelection(s[0], experts(0, 1), 0.5, 0.5);
        assertSelection(s[1], experts(0, 1), 0.5, 0.5);
        assertSelection(s[2], experts(0), 1.0);
    }

    @Test
    void aSingleTokenGetsTheWholePartOfTheBudget() {
        ExpertSelection s = new BudgetRouter(2.9, 4).route(0, logitsOf(new double[] {0.4, 0.35, 0.15, 0.1}), GATING)[0];
        assertThat(s.experts()).containsExactly(0, 1);
    }

    @Test
    void maxLargerThanTheExpertCountIsCapped() {
        ExpertSelection s = new BudgetRouter(9, 9).route(0, logitsOf(new double[] {0.4, 0.35, 0.15, 0.1}), GATING)[0];
        assertSelection(s, experts(0, 1, 2, 3), 0.4, 0.35, 0.15, 0.1);
    }

    @Test
    void rejectsBudgetsBelowOneExpert() {
        assertThatThrownBy(() -> new BudgetRouter(0.5, 0)).hasMessageStartingWith("B must be a number of at least 1");
        assertThatThrownBy(() -> new BudgetRouter(Double.NaN, 0)).hasMessageStartingWith("B must be a number of at least 1");
    }
}
