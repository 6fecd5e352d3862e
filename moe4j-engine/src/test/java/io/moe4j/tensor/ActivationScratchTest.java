package io.moe4j.tensor;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Arrays are distinct until a reset and come back after it, by length. */
class ActivationScratchTest {

    @Test
    void theSameRequestsGetTheSameArraysAfterAReset() {
        ActivationScratch s = ActivationScratch.reset();
        float[] a = s.take(256);
        float[] b = s.take(8);
        float[] c = s.take(256);
        assertThat(a).isNotSameAs(c);
        assertThat(a).hasSize(256);
        assertThat(b).hasSize(8);

        s = ActivationScratch.reset();
        assertThat(s.take(256)).isSameAs(a);
        assertThat(s.take(8)).isSameAs(b);
        assertThat(s.take(256)).isSameAs(c);
        assertThat(s.take(4)).hasSize(4);
    }

    @Test
    void arraysOfEachLengthAreKeptApart() {
        ActivationScratch s = ActivationScratch.reset();
        float[] a = s.take(32);
        s = ActivationScratch.reset();
        float[] b = s.take(64);
        assertThat(b).isNotSameAs(a).hasSize(64);
        s = ActivationScratch.reset();
        assertThat(s.take(64)).isSameAs(b);
        assertThat(s.take(32)).isSameAs(a);
        assertThat(s.take(32)).isNotSameAs(a).hasSize(32);
    }

    @Test
    void eachThreadHasItsOwn() throws Exception {
        float[] mine = ActivationScratch.reset().take(16);
        float[][] theirs = new float[1][];
        Thread t = Thread.ofPlatform().start(() -> theirs[0] = ActivationScratch.reset().take(16));
        t.join();
        assertThat(theirs[0]).isNotSameAs(mine);
    }
}
