package io.moe4j.route;

/** The model's own routing: its gating function, its top-k, its renormalisation. */
public final class NativeRouter implements Router {

    @Override
    public ExpertSelection[] route(int layer, float[][] logits, Gating gating) {
        return TopK.select(logits, gating, gating.expertsPerToken());
    }

    @Override
    public String toString() {
        return "native";
    }
}
