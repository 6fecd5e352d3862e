package io.moe4j.tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Arrays for one caller thread's quantized activations, kept on one shelf per length and all taken back at
 * once. Each matrix product takes what it needs and gives everything back when the next one starts; a decode
 * step's products need few distinct lengths, so after the first step every request is met from a shelf and
 * the fused products of a decode loop allocate no activation buffers.
 */
final class ActivationScratch {
    private static final ThreadLocal<ActivationScratch> OF_THREAD = ThreadLocal.withInitial(ActivationScratch::new);

    /** The arrays of one element type and length, the first {@code used} of them handed out. */
    private static final class Shelf {
        final boolean shorts;
        final int length;
        final List<Object> arrays = new ArrayList<>();
        int used;

        Shelf(boolean shorts, int length) {
            this.shorts = shorts;
            this.length = length;
        }
    }

    private final List<Shelf> shelves = new ArrayList<>();

    /** This thread's scratch, every array free again: call only when no array handed out before is in use. */
    static ActivationScratch reset() {
        ActivationScratch s = OF_THREAD.get();
        for (int i = 0; i < s.shelves.size(); i++) {
            s.shelves.get(i).used = 0;
        }
        return s;
    }

    /** An array of {@code length} floats (contents undefined) not handed out since the last reset. */
    float[] take(int length) {
        return (float[]) take(false, length);
    }

    /** {@link #take} for 16-bit integers. */
    short[] takeShorts(int length) {
        return (short[]) take(true, length);
    }

    private Object take(boolean shorts, int length) {
        Shelf shelf = null;
        for (int i = 0; i < shelves.size() && shelf == null; i++) {
            Shelf s = shelves.get(i);
            if (s.length == length && s.shorts == shorts) {
                shelf = s;
            }
        }
        if (shelf == null) {
            shelf = new Shelf(shorts, length);
            shelves.add(shelf);
        }
        if (shelf.used == shelf.arrays.size()) {
            shelf.arrays.add(shorts ? new short[length] : new float[length]);
        }
        return shelf.arrays.get(shelf.used++);
    }
}
