package io.moe4j.model;

import java.util.ArrayList;
import java.util.List;

/**
 * The temporary activations of one forward pass on one thread (normalised inputs, queries, keys, values,
 * expert outputs), handed out in order and taken back when the next pass starts. A decode step asks for the
 * same shapes in the same order every time, so from the second step on it allocates none of them; a shape
 * that changes (a prefill between decode steps) gets a new array in that place.
 *
 * <p>Only for values that do not outlive the pass, and only small ones (see {@link #MAX_KEPT_FLOATS}): what the pass hands to others (logits, routing decisions,
 * the gate scores a routing listener sees) is allocated as before. Contents are whatever the last user left:
 * every user overwrites all of it.
 */
final class ForwardScratch {
    private static final ThreadLocal<ForwardScratch> OF_THREAD = ThreadLocal.withInitial(ForwardScratch::new);

    /**
     * A pass of the largest models here takes a few hundred arrays; layers called on their own, outside
     * {@link MoeModel#forward}, never reset the scratch, and past this many it stops keeping what it hands out.
     */
    static final int MAX_KEPT = 4096;
    /**
     * Larger arrays (a prefill's activations: 64 tokens of olmoe's 2048 values are 128K floats) are allocated
     * each time and left to the collector, so that a long prompt does not leave hundreds of megabytes of
     * activations held by the thread; their cost is small next to a prefill's arithmetic.
     */
    static final int MAX_KEPT_FLOATS = 1 << 16;

    private final List<float[][]> matrices = new ArrayList<>();
    private final List<int[]> ints = new ArrayList<>();
    private final List<Object[]> refs = new ArrayList<>();
    private int nextMatrix;
    private int nextInts;
    private int nextRefs;

    /** This thread's scratch with every array free again: call when a forward pass starts, not inside one. */
    static ForwardScratch reset() {
        ForwardScratch s = OF_THREAD.get();
        s.nextMatrix = 0;
        s.nextInts = 0;
        s.nextRefs = 0;
        return s;
    }

    /** This thread's scratch as the current pass left it. */
    static ForwardScratch current() {
        return OF_THREAD.get();
    }

    /** {@code rows} arrays of {@code cols} floats, not handed out since the last reset. */
    float[][] rows(int rows, int cols) {
        if ((long) rows * cols > MAX_KEPT_FLOATS) {
            return new float[rows][cols];
        }
        if (nextMatrix < matrices.size()) {
            float[][] m = matrices.get(nextMatrix);
            if (m.length != rows || (rows > 0 && m[0].length != cols)) {
                m = new float[rows][cols];
                matrices.set(nextMatrix, m);
            }
            nextMatrix++;
            return m;
        }
        float[][] m = new float[rows][cols];
        if (matrices.size() < MAX_KEPT) {
            matrices.add(m);
            nextMatrix++;
        }
        return m;
    }

    /** {@code n} ints (contents undefined), not handed out since the last reset. */
    int[] ints(int n) {
        if (nextInts < ints.size()) {
            int[] a = ints.get(nextInts);
            if (a.length != n) {
                a = new int[n];
                ints.set(nextInts, a);
            }
            nextInts++;
            return a;
        }
        int[] a = new int[n];
        if (ints.size() < MAX_KEPT) {
            ints.add(a);
            nextInts++;
        }
        return a;
    }

    /** {@code n} references to {@code type} (contents undefined), not handed out since the last reset: lists of rows, of experts. */
    @SuppressWarnings("unchecked")
    <T> T[] refs(Class<T> type, int n) {
        if (nextRefs < refs.size()) {
            Object[] a = refs.get(nextRefs);
            if (a.length != n || a.getClass().getComponentType() != type) {
                a = (Object[]) java.lang.reflect.Array.newInstance(type, n);
                refs.set(nextRefs, a);
            }
            nextRefs++;
            return (T[]) a;
        }
        T[] a = (T[]) java.lang.reflect.Array.newInstance(type, n);
        if (refs.size() < MAX_KEPT) {
            refs.add(a);
            nextRefs++;
        }
        return a;
    }
}
