package io.moe4j.generate;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The warm-up stops only once two runs in a row agree within 10%. */
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
}
