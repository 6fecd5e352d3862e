package io.moe4j.model;

import io.moe4j.tensor.ComputePool;
import io.moe4j.tensor.Matmul;
import io.moe4j.tensor.VectorMath;
import io.moe4j.tensor.WeightMatrix;

/** A SiLU-gated feed-forward network, {@code down(silu(gate x) * up x)}: one expert, or a shared expert. */
public record SwiGluFfn(WeightMatrix gate, WeightMatrix up, WeightMatrix down) {

    public SwiGluFfn {
        if (gate.rows() != up.rows() || gate.cols() != up.cols() || down.cols() != gate.rows() || down.rows() != gate.cols()) {
            throw new IllegalArgumentException("inconsistent feed-forward shapes: " + gate + ", " + up + ", " + down);
        }
    }

    public int width() {
        return gate.rows();
    }

    /** {@code out[t] = ffn(x[t])} for every token of the batch; weights are read once for the batch. */
    public void forward(ComputePool pool, float[][] x, float[][] out) {
        forwardAll(pool, new SwiGluFfn[] {this}, new float[][][] {x}, new float[][][] {out});
    }

    /**
     * {@code outs[i][t] = ffns[i](xs[i][t])}: several networks (a layer's chosen experts) evaluated together,
     * so that their small products share two parallel operations (gate and up, then down) instead of three each.
     */
    public static void forwardAll(ComputePool pool, SwiGluFfn[] ffns, float[][][] xs, float[][][] outs) {
        int n = ffns.length;
        float[][][] hidden = new float[n][][];
        Matmul.Product[] gateUp = new Matmul.Product[2 * n];
        float[][][] ups = new float[n][][];
        for (int i = 0; i < n; i++) {
            hidden[i] = ForwardScratch.current().rows(xs[i].length, ffns[i].width());
            ups[i] = ForwardScratch.current().rows(xs[i].length, ffns[i].width());
            gateUp[2 * i] = new Matmul.Product(ffns[i].gate, xs[i], 0, hidden[i], 0);
            gateUp[2 * i + 1] = new Matmul.Product(ffns[i].up, xs[i], 0, ups[i], 0);
        }
        Matmul.applyAll(pool, gateUp);
        Matmul.Product[] down = new Matmul.Product[n];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < hidden[i].length; t++) {
                VectorMath.siluGate(hidden[i][t], ups[i][t], ffns[i].width());
            }
            down[i] = new Matmul.Product(ffns[i].down, hidden[i], 0, outs[i], 0);
        }
        Matmul.applyAll(pool, down);
    }

    public long byteSize() {
        return gate.byteSize() + up.byteSize() + down.byteSize();
    }

    public long parameterCount() {
        return 3L * gate.rows() * gate.cols();
    }
}
