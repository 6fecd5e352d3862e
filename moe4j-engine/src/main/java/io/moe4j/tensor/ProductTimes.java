package io.moe4j.tensor;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a measured pass spent its time, by kind of matrix product: each {@link Matmul.Products} operation timed
 * from its set-up (rounding the activations) to its end, with the weight bytes it read, and the time since
 * the operation before it ended (the work in between: attention, norms, routing, gating). A kind is
 * the first product's weight name without its layer ({@code blk.N.}) or expert ({@code [i]}), so that a decode step's
 * sixteen q/k/v operations, or its experts' gate and up projections, add up as one. Written and read by the pool's
 * calling thread; timing a pass allocates only on a kind's first operation.
 */
public final class ProductTimes {

    /**
     * One kind's totals: {@code products} matrices in {@code operations} operations, taking {@code nanos} and reading
     * {@code bytes} of weights, after {@code nanosBefore} of other work since the operations before them.
     */
    public record Kind(String name, long operations, long products, long nanos, long bytes, long nanosBefore) {
        /** Weight bytes read per second of this kind's operations, in GB/s. */
        public double gigabytesPerSecond() {
            return nanos > 0 ? (double) bytes / nanos : 0;
        }
    }

    private static final class Totals {
        long operations;
        long products;
        long nanos;
        long bytes;
        long nanosBefore;
    }

    private final Map<String, Totals> kinds = new HashMap<>();
    /** When the last timed operation ended; 0 before the first one of a run. */
    private long lastEnd;

    /** A new run starts: the time until its first operation is not work between operations. */
    void startRun() {
        lastEnd = 0;
    }

    void add(String kind, int products, long bytes, long start, long end) {
        Totals t = kinds.computeIfAbsent(kind, k -> new Totals());
        t.operations++;
        t.products += products;
        t.nanos += end - start;
        t.bytes += bytes;
        if (lastEnd != 0) {
            t.nanosBefore += start - lastEnd;
        }
        lastEnd = end;
    }

    /** The kinds timed, the longest in all first. */
    public List<Kind> kinds() {
        List<Kind> out = new ArrayList<>();
        kinds.forEach((name, t) -> out.add(new Kind(name, t.operations, t.products, t.nanos, t.bytes, t.nanosBefore)));
        out.sort(Comparator.comparingLong(Kind::nanos).reversed());
        return out;
    }

    /** The kind of the products of {@code weights}: its name without the layer and the expert. */
    static String kindOf(String weights) {
        String kind = weights;
        if (kind.startsWith("blk.")) {
            int dot = kind.indexOf('.', 4);
            if (dot > 4 && kind.substring(4, dot).chars().allMatch(Character::isDigit)) {
                kind = kind.substring(dot + 1);
            }
        }
        int bracket = kind.lastIndexOf('[');
        return bracket > 0 && kind.endsWith("]") ? kind.substring(0, bracket) : kind;
    }
}
