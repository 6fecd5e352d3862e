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
        ForwardScratch scratch = ForwardScratch.current();
        SwiGluFfn[] ffns = scratch.refs(SwiGluFfn.class, 1);
        float[][][] xs = scratch.refs(float[][].class, 1);
        float[][][] outs = scratch.refs(float[][].class, 1);
        ffns[0] = this;
        xs[0] = x;
        outs[0] = out;
        forwardAll(pool, ffns, xs, outs, 1);
    }

    /**
     * {@code outs[i][t] = ffns[i](xs[i][t])} for the first {@code n} networks (a layer's chosen experts), evaluated
     * together, so that their small products share two parallel operations (gate and up, then down) instead of
     * three each.
     */
    public static void forwardAll(ComputePool pool, SwiGluFfn[] ffns, float[][][] xs, float[][][] outs, int n) {
        ForwardScratch scratch = ForwardScratch.current();
        // each token's gate and up outputs side by side in one row: the gated half is the down projection's input
        float[][][] hidden = scratch.refs(float[][].class, n);
        Matmul.Products gateUp = Matmul.products();
        for (int i = 0; i < n; i++) {
            int width = ffns[i].width();
            hidden[i] = scratch.rows(xs[i].length, 2 * width);
            gateUp.add(ffns[i].gate, xs[i], 0, hidden[i], 0).add(ffns[i].up, xs[i], 0, hidden[i], width);
        }
        gateUp.apply(pool);
        Matmul.Products down = Matmul.products();
        for (int i = 0; i < n; i++) {
            for (float[] row : hidden[i]) {
                VectorMath.siluGate(row, ffns[i].width());
            }
            down.add(ffns[i].down, hidden[i], 0, outs[i], 0);
        }
        down.apply(pool);
    }

    public long byteSize() {
        return gate.byteSize() + up.byteSize() + down.byteSize();
    }

    public long parameterCount() {
        return 3L * gate.rows() * gate.cols();
    }
}
