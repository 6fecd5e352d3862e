package io.moe4j.model;

import io.moe4j.route.Router;
import io.moe4j.route.RoutingListener;
import io.moe4j.tensor.ComputePool;
import io.moe4j.tensor.VectorMath;

/** One pre-norm decoder layer: {@code x += attention(norm(x)); x += moe(norm(x))}. */
public record TransformerBlock(int index, float[] attentionNorm, Attention attention, float[] ffnNorm, MoeLayer moe, float rmsEps) {

    public void forward(ComputePool pool, float[][] x, int[] positions, KvCache cache, Router router, RoutingListener listener) {
        attention.forward(pool, index, normalized(x, attentionNorm), positions, cache, x);
        moe.forward(pool, normalized(x, ffnNorm), positions, router, listener, x);
    }

    private float[][] normalized(float[][] x, float[] weight) {
        float[][] out = ForwardScratch.current().rows(x.length, x[0].length);
        for (int t = 0; t < x.length; t++) {
            VectorMath.rmsNorm(x[t], 0, weight, rmsEps, out[t], 0, weight.length);
        }
        return out;
    }
}
