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

    /** Feeds tokens in one batch and returns the logits after the last one. */
    @Override
    public float[] feed(int... tokens) {
        return forward(tokens, false)[0];
    }

    /** Feeds tokens in one batch and returns the logits after each of them. */
    @Override
    public float[][] feedAll(int... tokens) {
        return forward(tokens, true);
    }

    private float[][] forward(int[] tokens, boolean all) {
        if (length + tokens.length > cache.capacity()) {
            throw new ContextOverflowException(length + tokens.length, cache.capacity());
        }
        float[][] logits = model.forward(pool, tokens, length, cache, routing, listener, all);
        if (length + tokens.length > history.length) {
            history = Arrays.copyOf(history, Math.min(cache.capacity(), Math.max(history.length * 2, length + tokens.length)));
        }
        System.arraycopy(tokens, 0, history, length, tokens.length);
        length += tokens.length;
        return logits;
    }
}
