package io.moe4j.tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Arrays for one caller thread's quantized activations, handed out in order and taken back all at once. A
 * decode step asks for the same sizes in the same order every time, so after the first step every request
 * is met by an array of the step before (a new one only where the size changed): the fused products of a
 * decode loop then allocate no activation buffers.
 */
final class ActivationScratch {
    private static final ThreadLocal<ActivationScratch> OF_THREAD = ThreadLocal.withInitial(ActivationScratch::new);

    private final List<float[]> arrays = new ArrayList<>();
    private int next;

    /** This thread's scratch, every array free again: call only when no array handed out before is in use. */
    static ActivationScratch reset() {
        ActivationScratch s = OF_THREAD.get();
        s.next = 0;
        return s;
    }

    /** An array of {@code length} floats (contents undefined) not handed out since the last reset. */
    float[] take(int length) {
        if (next < arrays.size()) {
            float[] a = arrays.get(next);
            if (a.length != length) {
                a = new float[length];
                arrays.set(next, a);
            }
            next++;
            return a;
        }
        float[] a = new float[length];
        arrays.add(a);
        next++;
        return a;
    }
}
