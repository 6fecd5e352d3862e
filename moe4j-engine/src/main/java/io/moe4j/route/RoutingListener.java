package io.moe4j.route;

/**
 * Observes routing decisions as the model makes them (for traces and statistics). Called on the
 * thread that runs the forward pass, once per MoE layer per batch.
 *
 * @see io.moe4j.route.Router
 */
@FunctionalInterface
public interface RoutingListener {
    /**
     * @param layer      MoE layer index
     * @param positions  sequence position of each token of the batch
     * @param logits     the gate's raw scores per token
     * @param selections the experts chosen per token
     */
    void onRouting(int layer, int[] positions, float[][] logits, ExpertSelection[] selections);

    /** A listener that tells {@code first}, then {@code second}; either may be null. */
    static RoutingListener both(RoutingListener first, RoutingListener second) {
        if (first == null) {
            return second;
        }
        if (second == null) {
            return first;
        }
        return (layer, positions, logits, selections) -> {
            first.onRouting(layer, positions, logits, selections);
            second.onRouting(layer, positions, logits, selections);
        };
    }
}
