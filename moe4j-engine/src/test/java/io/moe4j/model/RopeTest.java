package io.moe4j.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Rope's angle tables, kept for recent positions and shared by the layers of a model. */
class RopeTest {

    /** ggml's angles: pos * base^(-2i/d) by repeated multiplication in float. */
    private static float[] expected(int pos, int dimensions, float base) {
        float scale = (float) Math.pow(base, -2.0 / dimensions);
        float[] table = new float[dimensions];
        float theta = pos;
        for (int i = 0; i < dimensions; i += 2) {
            table[i] = (float) Math.cos(theta);
            table[i + 1] = (float) Math.sin(theta);
            theta *= scale;
        }
        return table;
    }

    @Test
    void layersWithTheSameSettingsShareOneRope() {
        assertThat(Rope.of(RopeType.NEOX, 64, 10000f)).isSameAs(Rope.of(RopeType.NEOX, 64, 10000f));
        assertThat(Rope.of(RopeType.NEOX, 64, 10000f)).isNotSameAs(Rope.of(RopeType.NORM, 64, 10000f));
        assertThat(Rope.of(RopeType.NEOX, 64, 10000f)).isNotSameAs(Rope.of(RopeType.NEOX, 64, 500000f));
    }

    @Test
    void keptTablesAreThoseOfTheirPositionEvenWhenPositionsShareASlot() {
        Rope rope = Rope.of(RopeType.NEOX, 128, 10000f);
        for (int pos : new int[] {0, 5, 5, 1029, 5, 1029, 4095, 3071}) {
            assertThat(rope.angles(pos)).as("position %d", pos).containsExactly(expected(pos, 128, 10000f));
        }
        assertThat(rope.angles(77)).isSameAs(rope.angles(77));
    }
}
