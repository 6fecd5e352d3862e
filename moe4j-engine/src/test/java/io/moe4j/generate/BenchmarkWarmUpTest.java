package io.moe4j.generate;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The warm-up stops only once the JIT has been quiet for a second and two runs in a row agree within 10%. */
class BenchmarkWarmUpTest {

    @Test
    void runsWithinTenPercentAreSteady() {
        assertThat(Benchmark.steady(1_000, 1_100)).isTrue();
        assertThat(Benchmark.steady(1_100, 1_000)).isTrue();
        assertThat(Benchmark.steady(1_000, 1_000)).isTrue();
    }

    @Test
    void runsFurtherApartOrAFirstRunAreNot() {
        assertThat(Benchmark.steady(1_000, 1_101)).isFalse();
        assertThat(Benchmark.steady(1_600, 1_000)).isFalse();
        assertThat(Benchmark.steady(Long.MAX_VALUE, 1_000)).isFalse();
    }

    private static final long SECOND = 1_000_000_000L;

    @Test
    void theWarmUpEndsPastItsMinimumOnceTheJitIsQuietAndTwoRunsAgree() {
        assertThat(Benchmark.warmedUp(4 * SECOND, 2 * SECOND, 1_000, 1_050)).isTrue();
        assertThat(Benchmark.warmedUp(2 * SECOND, 2 * SECOND, 1_000, 1_050)).as("before the minimum").isFalse();
        assertThat(Benchmark.warmedUp(4 * SECOND, SECOND / 2, 1_000, 1_050)).as("the JIT compiled half a second ago").isFalse();
        assertThat(Benchmark.warmedUp(4 * SECOND, 2 * SECOND, 1_000, 1_500)).as("runs apart").isFalse();
    }

    @Test
    void theWarmUpEndsAtItsLimitWhatever() {
        assertThat(Benchmark.warmedUp(Benchmark.WARM_UP_LIMIT_NANOS, 0, 1_000, 5_000)).isTrue();
    }
}
