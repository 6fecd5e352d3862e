package io.moe4j.model;

import io.moe4j.route.ExpertSelection;
import io.moe4j.route.Gating;
import io.moe4j.route.Router;
import io.moe4j.route.RoutingListener;
import io.moe4j.tensor.ComputePool;
import io.moe4j.tensor.Matmul;
import io.moe4j.tensor.VectorMath;
import io.moe4j.tensor.WeightMatrix;

import java.util.Arrays;

/**
 * The Mixture-of-Experts feed-forward layer: a linear gate scores the experts, a {@link Router} picks
 * each token's experts and weights, and the chosen experts' outputs are summed with those weights; an
 * optional shared expert, scaled by a sigmoid gate, is added for every token (Qwen2-MoE).
 *
 * <p>Tokens of a batch are grouped by expert so that each expert's weights are read once per batch.
 */
public final class MoeLayer {
    private final int layer;
    private final Gating gating;
    private final WeightMatrix gate;
    private final SwiGluFfn[] experts;
    private final SwiGluFfn sharedExpert;
    private final float[] sharedGate;

    public MoeLayer(int layer, Gating gating, WeightMatrix gate, SwiGluFfn[] experts, SwiGluFfn sharedExpert, float[] sharedGate) {
        if (gate.rows() != gating.expertCount() || experts.length != gating.expertCount()) {
            throw new IllegalArgumentException("layer " + layer + ": gate has " + gate.rows() + " rows and " + experts.length
                    + " experts, gating expects " + gating.expertCount());
        }
        this.layer = layer;
        this.gating = gating;
        this.gate = gate;
        this.experts = experts.clone();
        this.sharedExpert = sharedExpert;
        this.sharedGate = sharedGate;
    }

    public Gating gating() {
        return gating;
    }

    public int expertCount() {
        return experts.length;
    }

    public SwiGluFfn expert(int e) {
        return experts[e];
    }

    public SwiGluFfn sharedExpert() {
        return sharedExpert;
    }

    public WeightMatrix gate() {
        return gate;
    }

    /** The gate's raw scores for each token. */
    public float[][] gateLogits(ComputePool pool, float[][] x) {
        return gateLogits(pool, x, new float[x.length][gate.rows()]);
    }

    private float[][] gateLogits(ComputePool pool, float[][] x, float[][] into) {
        Matmul.apply(pool, gate, x, 0, into, 0);
        return into;
    }

    /** Adds the layer's output for each (normalised) input {@code x[t]} to {@code residual[t]}. */
    public ExpertSelection[] forward(ComputePool pool, float[][] x, int[] positions, Router router,
                                     RoutingListener listener, float[][] residual) {
        ForwardScratch scratch = ForwardScratch.current();
        // a listener is handed the scores, and may keep them
        float[][] logits = gateLogits(pool, x, listener == null ? scratch.rows(x.length, gate.rows()) : new float[x.length][gate.rows()]);
        ExpertSelection[] selections = router.route(layer, logits, gating);
        if (selections.length != x.length) {
            throw new IllegalStateException("router " + router + " returned " + selections.length + " selections for " + x.length + " tokens");
        }
        if (listener != null) {
            listener.onRouting(layer, positions, logits, selections);
        }
        int dim = residual[0].length;
        // the batch's tokens grouped by expert (a counting sort): expert e's are grouped[start[e]..start[e+1])
        int[] start = scratch.ints(experts.length + 1);
        Arrays.fill(start, 0);
        for (ExpertSelection s : selections) {
            for (int i = 0; i < s.count(); i++) {
                if (firstMention(s, i)) {
                    start[s.expert(i) + 1]++;
                }
            }
        }
        int n = 0;
        for (int e = 0; e < experts.length; e++) {
            n += start[e + 1] > 0 ? 1 : 0;
            start[e + 1] += start[e];
        }
        int[] grouped = scratch.ints(start[experts.length]);
        int[] filled = scratch.ints(experts.length);
        System.arraycopy(start, 0, filled, 0, experts.length);
        for (int t = 0; t < selections.length; t++) {
            ExpertSelection s = selections[t];
            for (int i = 0; i < s.count(); i++) {
                if (firstMention(s, i)) {
                    grouped[filled[s.expert(i)]++] = t;
                }
            }
        }
        int[] chosen = scratch.ints(n);
        SwiGluFfn[] ffns = scratch.refs(SwiGluFfn.class, n);
        float[][][] ins = scratch.refs(float[][].class, n);
        float[][][] outs = scratch.refs(float[][].class, n);
        for (int e = 0, i = 0; e < experts.length; e++) {
            int count = start[e + 1] - start[e];
            if (count == 0) {
                continue;
            }
            chosen[i] = e;
            ffns[i] = experts[e];
            ins[i] = scratch.refs(float[].class, count);
            for (int j = 0; j < count; j++) {
                ins[i][j] = x[grouped[start[e] + j]];
            }
            outs[i] = scratch.rows(count, dim);
            i++;
        }
        SwiGluFfn.forwardAll(pool, ffns, ins, outs, n);
        // summed in expert order, whatever the batch, so batched and one-token results add alike
        for (int i = 0; i < n; i++) {
            int e = chosen[i];
            for (int j = 0; j < outs[i].length; j++) {
                int t = grouped[start[e] + j];
                VectorMath.axpy(weightOf(e, selections[t]), outs[i][j], 0, residual[t], 0, dim);
            }
        }
        if (sharedExpert != null) {
            float[][] out = scratch.rows(x.length, dim);
            sharedExpert.forward(pool, x, out);
            for (int t = 0; t < x.length; t++) {
                float scale = VectorMath.sigmoid(VectorMath.dot(sharedGate, 0, x[t], 0, dim));
                VectorMath.axpy(scale, out[t], 0, residual[t], 0, dim);
            }
        }
        return selections;
    }

    /**
     * Whether choice {@code i} of {@code s} names its expert for the first time (a token goes to an expert once,
     * with the weights of repeated choices summed), after checking that the expert exists.
     */
    private boolean firstMention(ExpertSelection s, int i) {
        int e = s.expert(i);
        if (e < 0 || e >= experts.length) {
            throw new IllegalStateException("layer " + layer + ": router chose expert " + e + " of " + experts.length);
        }
        for (int j = 0; j < i; j++) {
            if (s.expert(j) == e) {
                return false;
            }
        }
        return true;
    }

    private static float weightOf(int expert, ExpertSelection s) {
        float w = 0;
        for (int i = 0; i < s.count(); i++) {
            if (s.expert(i) == expert) {
                w += s.weight(i);
            }
        }
        return w;
    }

    /** Bytes of weights one token reads here under native routing. */
    public long activeBytesPerToken() {
        long expertBytes = experts[0].byteSize() * gating.expertsPerToken();
        return gate.byteSize() + expertBytes + (sharedExpert == null ? 0 : sharedExpert.byteSize());
    }

    public long parameterCount() {
        long p = (long) gate.rows() * gate.cols() + experts[0].parameterCount() * experts.length;
        return sharedExpert == null ? p : p + sharedExpert.parameterCount() + sharedGate.length;
    }

    public long activeParameterCount() {
        long p = (long) gate.rows() * gate.cols() + experts[0].parameterCount() * gating.expertsPerToken();
        return sharedExpert == null ? p : p + sharedExpert.parameterCount() + sharedGate.length;
    }
}
