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
        int tokens = x.length;
        float[][] g = new float[tokens][width()];
        float[][] u = new float[tokens][width()];
        Matmul.apply(pool, gate, x, 0, g, 0);
        Matmul.apply(pool, up, x, 0, u, 0);
        for (int t = 0; t < tokens; t++) {
            for (int i = 0; i < g[t].length; i++) {
                g[t][i] = VectorMath.silu(g[t][i]) * u[t][i];
            }
        }
        Matmul.apply(pool, down, g, 0, out, 0);
    }

    public long byteSize() {
        return gate.byteSize() + up.byteSize() + down.byteSize();
    }

    public long parameterCount() {
        return 3L * gate.rows() * gate.cols();
    }
}
