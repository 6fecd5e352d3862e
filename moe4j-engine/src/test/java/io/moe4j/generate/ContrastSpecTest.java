package io.moe4j.generate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ContrastSpecTest {

    @Test
    void parsesEveryKeyAndKeepsCommasInsideRouteSpecs() {
        ContrastSpec c = ContrastSpec.parse("strong=topp:0.8,min=2,max=6, weak=topk:1;ban:0/3 ,beta=0.7,alpha=0.05");
        assertThat(c.strong()).hasToString("topp:0.8,min=2,max=6");
        assertThat(c.weak()).hasToString("topk:1;ban:0/3");
        assertThat(c.beta()).isEqualTo(0.7);
        assertThat(c.alpha()).isEqualTo(0.05);
        assertThat(c).hasToString("scmoe:strong=topp:0.8,min=2,max=6,weak=topk:1;ban:0/3,beta=0.7,alpha=0.05");
    }

    @Test
    void missingKeysTakeTheDefaults() {
        ContrastSpec c = ContrastSpec.parse("beta=1");
        assertThat(c.strong()).hasToString("native");
        assertThat(c.weak()).hasToString("topk:1");
        assertThat(c.beta()).isEqualTo(1.0);
        assertThat(c.alpha()).isEqualTo(0.1);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "strong=native,gamma=2|bad --contrast strong part 'native,gamma=2': native takes no arguments",
            "gamma=2|bad --contrast part 'gamma=2': expected strong=SPEC, weak=SPEC, beta=B or alpha=A",
            "beta=x|bad --contrast part 'beta=x': 'x' is not a number",
            "beta=1,beta=2|bad --contrast part 'beta=2': beta given twice",
            "weak=topk:0|bad --contrast weak part 'topk:0': K must be at least 1, got 0",
            "alpha=2|bad --contrast spec 'alpha=2': alpha must be in [0, 1], got 2.0",
            "beta=-1|bad --contrast spec 'beta=-1': beta must be a number ≥ 0, got -1.0",
    })
    void badSpecsAreNamedInOneLine(String spec, String message) {
        assertThatThrownBy(() -> ContrastSpec.parse(spec)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }
}
