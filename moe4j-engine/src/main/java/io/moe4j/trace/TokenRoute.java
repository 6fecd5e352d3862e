package io.moe4j.trace;

import java.util.List;

/** One token's routing through every MoE layer, and its position in its sequence. */
public record TokenRoute(int position, List<LayerRoute> layers) {
    public TokenRoute {
        layers = List.copyOf(layers);
    }

    public LayerRoute layer(int l) {
        return layers.get(l);
    }
}
