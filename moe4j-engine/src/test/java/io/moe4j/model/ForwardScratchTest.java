package io.moe4j.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A pass gets distinct arrays; the next pass gets the same ones for the same shapes, new ones where a shape changed. */
class ForwardScratchTest {

    @Test
    void theNextPassReusesTheArraysOfTheSameShapes() {
        ForwardScratch s = ForwardScratch.reset();
        float[][] a = s.rows(1, 256);
        float[][] b = s.rows(1, 256);
        float[][] c = s.rows(4, 32);
        assertThat(a).isNotSameAs(b);
        assertThat(c).hasNumberOfRows(4);
        assertThat(c[0]).hasSize(32);

        s = ForwardScratch.reset();
        assertThat(s.rows(1, 256)).isSameAs(a);
        assertThat(s.rows(1, 256)).isSameAs(b);
        float[][] d = s.rows(5, 32);
        assertThat(d).isNotSameAs(c).hasNumberOfRows(5);
        assertThat(ForwardScratch.current().rows(2, 8)).hasNumberOfRows(2);
    }

    @Test
    void largeArraysAreNotKept() {
        int rows = ForwardScratch.MAX_KEPT_FLOATS / 1024 + 1;
        ForwardScratch s = ForwardScratch.reset();
        float[][] big = s.rows(rows, 1024);
        float[][] small = s.rows(1, 8);
        s = ForwardScratch.reset();
        assertThat(s.rows(rows, 1024)).isNotSameAs(big);
        assertThat(s.rows(1, 8)).isSameAs(small);
    }
}
