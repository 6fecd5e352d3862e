package io.moe4j.model;

/**
 * Rotary position embedding with ggml's arithmetic: the angle of pair i is
 * {@code pos * base^(-2i/d)}, computed in float by repeated multiplication as ggml does, so that
 * positions far into the context round the same way.
 */
public final class Rope {
    private final RopeType type;
    private final int dimensions;
    private final float thetaScale;
    /**
     * Each thread's tables of the positions it rotated last, position p in slot p mod {@link #RECENT_POSITIONS}:
     * every layer rotates the same positions, and a table costs {@code dimensions} calls of Math.cos and Math.sin
     * (2.7 µs at 128 dimensions), which an olmoe decode step paid sixteen times. A thread's own, so that a slot is
     * rewritten in place: a decode loop allocates nothing here.
     */
    private final ThreadLocal<Recent> recent;
    private static final int RECENT_POSITIONS = 1024;

    private static final class Recent {
        final int[] positions = new int[RECENT_POSITIONS];
        final float[][] tables = new float[RECENT_POSITIONS][];

        Recent() {
            java.util.Arrays.fill(positions, Integer.MIN_VALUE); // no position: slots are empty
        }
    }

    /** Instances by rotation and dimensions: the layers of a model share one, and with it its tables. */
    private static final java.util.concurrent.ConcurrentHashMap<java.util.List<Object>, Rope> SHARED = new java.util.concurrent.ConcurrentHashMap<>();

    /** The rope for these settings, shared with every caller asking for the same. */
    public static Rope of(RopeType type, int dimensions, float freqBase) {
        return SHARED.computeIfAbsent(java.util.List.of(type, dimensions, freqBase), k -> new Rope(type, dimensions, freqBase));
    }

    private Rope(RopeType type, int dimensions, float freqBase) {
        if (dimensions % 2 != 0 || dimensions <= 0) {
            throw new IllegalArgumentException("rope dimensions must be even and positive, got " + dimensions);
        }
        this.type = type;
        this.dimensions = dimensions;
        this.thetaScale = (float) Math.pow(freqBase, -2.0 / dimensions);
        this.recent = ThreadLocal.withInitial(Recent::new);
    }

    /**
     * Cosines and sines of the angles at {@code pos}: {@code table[2i]} = cos, {@code table[2i+1]} = sin. The table
     * is the calling thread's, kept for later calls: read it, do not change it; it holds another position's angles
     * once the thread asks for a position {@link #RECENT_POSITIONS} away.
     */
    public float[] angles(int pos) {
        Recent r = recent.get();
        int slot = Math.floorMod(pos, RECENT_POSITIONS);
        if (r.positions[slot] == pos) {
            return r.tables[slot];
        }
        if (r.tables[slot] == null) {
            r.tables[slot] = new float[dimensions];
        }
        computeAngles(pos, r.tables[slot]);
        r.positions[slot] = pos;
        return r.tables[slot];
    }

    private void computeAngles(int pos, float[] table) {
        float theta = pos;
        for (int i = 0; i < dimensions; i += 2) {
            table[i] = (float) Math.cos(theta);
            table[i + 1] = (float) Math.sin(theta);
            theta *= thetaScale;
        }
    }

    /** Rotates each of {@code heads} vectors of {@code headSize} values starting at {@code offset}. */
    public void apply(float[] x, int offset, int heads, int headSize, float[] angles) {
        int half = dimensions / 2;
        for (int h = 0; h < heads; h++) {
            int base = offset + h * headSize;
            for (int i = 0; i < half; i++) {
                float cos = angles[2 * i];
                float sin = angles[2 * i + 1];
                int a = type == RopeType.NORM ? base + 2 * i : base + i;
                int b = type == RopeType.NORM ? a + 1 : a + half;
                float x0 = x[a];
                float x1 = x[b];
                x[a] = x0 * cos - x1 * sin;
                x[b] = x0 * sin + x1 * cos;
            }
        }
    }
}
