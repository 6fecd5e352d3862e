package io.moe4j.generate;

import io.moe4j.model.ContextOverflowException;
import io.moe4j.model.KvCache;
import io.moe4j.model.MoeModel;
import io.moe4j.route.RoutingListener;
import io.moe4j.route.RoutingPlan;
import io.moe4j.tensor.ComputePool;

import java.util.Arrays;

/**
 * One conversation with a model: its KV cache, the tokens fed so far, and the routing in force.
 * Prefill feeds many tokens in one batch; decode feeds one at a time.
 */
public final class Session implements LogitsSource {
    private final MoeModel model;
    private final ComputePool pool;
    private final KvCache cache;
    private RoutingPlan routing = RoutingPlan.NATIVE;
    private RoutingListener listener;
    private int[] history;
    private int length;
    /** The row {@link #feed} returns, reused from call to call. */
    private float[][] lastLogits;
    /** A decode step's one token. */
    private final int[] oneToken = new int[1];

    public Session(MoeModel model, ComputePool pool, int contextSize) {
        this.model = model;
        this.pool = pool;
        this.cache = new KvCache(model.config(), contextSize);
        this.history = new int[Math.min(contextSize, 1024)];
    }

    public Session routing(RoutingPlan plan) {
        this.routing = plan;
        return this;
    }

    public Session listener(RoutingListener listener) {
        this.listener = listener;
        return this;
    }

    public MoeModel model() {
        return model;
    }

    @Override
    public int contextSize() {
        return cache.capacity();
    }

    @Override
    public int position() {
        return length;
    }

    @Override
    public int[] history() {
        return Arrays.copyOf(history, length);
    }

    /** Forgets every token fed so far. */
    @Override
    public void reset() {
        length = 0;
    }

    /** Feeds tokens in one batch and returns the logits after the last one, in a row the next call reuses. */
    @Override
    public float[] feed(int... tokens) {
        if (lastLogits == null) {
            lastLogits = new float[1][model.output().rows()];
        }
        return forward(tokens, lastLogits)[0];
    }

    /** Feeds one token (a decode step, which allocates nothing here) and returns the logits after it, in a row the next call reuses. */
    @Override
    public float[] feed(int token) {
        oneToken[0] = token;
        return feed(oneToken);
    }

    /** Feeds tokens in one batch and returns the logits after each of them. */
    @Override
    public float[][] feedAll(int... tokens) {
        return forward(tokens, new float[tokens.length][model.output().rows()]);
    }

    private float[][] forward(int[] tokens, float[][] into) {
        if (length + tokens.length > cache.capacity()) {
            throw new ContextOverflowException(length + tokens.length, cache.capacity());
        }
        if (tokens.length > 1) {
            DecodeWarmUp.beforeFirstPrefill(model, pool);
        }
        float[][] logits = model.forward(pool, tokens, length, cache, routing, listener, into);
        if (length + tokens.length > history.length) {
            history = Arrays.copyOf(history, Math.min(cache.capacity(), Math.max(history.length * 2, length + tokens.length)));
        }
        System.arraycopy(tokens, 0, history, length, tokens.length);
        length += tokens.length;
        return logits;
    }
}
