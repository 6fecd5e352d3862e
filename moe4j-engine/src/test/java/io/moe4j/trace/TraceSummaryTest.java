package io.moe4j.trace;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class TraceSummaryTest {

    private static LayerRoute layer(float entropy, int... experts) {
        return new LayerRoute(experts, new float[experts.length], entropy);
    }

    @Test
    void countsLoadTransitionsCoactivationAndEntropy() {
        TraceSummary s = new TraceSummary(new TraceHeader(1, 2, 4, 2, "m", "native"));
        s.add(new TokenRoute(0, List.of(layer(1.0f, 0, 1), layer(0.5f, 2))));
        s.add(new TokenRoute(1, List.of(layer(2.0f, 0), layer(1.5f, 2, 3))));
        assertThat(s.tokens()).isEqualTo(2);
        assertThat(s.loadShare(0)).containsExactly(1.0, 0.5, 0, 0);
        assertThat(s.loadShare(1)).containsExactly(0, 0, 1.0, 0.5);
        // expert 0 of layer 0 (2 tokens) went on to 2 twice and to 3 once; expert 1 (1 token) to 2
        assertThat(s.transitionShare(0)[0]).containsExactly(0, 0, 1.0, 0.5);
        assertThat(s.transitionShare(0)[1]).containsExactly(0, 0, 1.0, 0);
        assertThat(s.transitionShare(0)[2]).containsExactly(0, 0, 0, 0);
        assertThat(s.coactivationShare(0)[0]).containsExactly(0, 0.5, 0, 0);
        assertThat(s.coactivationShare(0)[1]).containsExactly(1.0, 0, 0, 0);
        assertThat(s.coactivationShare(1)[3]).containsExactly(0, 0, 1.0, 0);
        assertThat(s.meanEntropy(0)).isCloseTo(1.5, within(1e-9));
        assertThat(s.meanEntropy(1)).isCloseTo(1.0, within(1e-9));
        assertThat(s.expertsPerToken(0)).isEqualTo(1.5);
        assertThat(s.expertsPerToken()).isEqualTo(1.5);
    }
}
