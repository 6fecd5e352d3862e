package io.moe4j.trace;

/**
 * One token's routing in one layer, as a trace stores it.
 *
 * @param weights the weights applied to the experts' outputs, rounded to half precision
 * @param entropy the gate's entropy over all experts, in nats, rounded to half precision
 */
public record LayerRoute(int[] experts, float[] weights, float entropy) {
    public int count() {
        return experts.length;
    }
}
