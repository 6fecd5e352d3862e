package io.moe4j.generate;

import io.moe4j.model.ModelConfig;
import io.moe4j.model.MoeModel;
import io.moe4j.route.RouteSpec;
import io.moe4j.route.RoutingListener;
import io.moe4j.route.RoutingStats;
import io.moe4j.tensor.ComputePool;

import java.util.List;

/**
 * How next-token scores are made: one pass with a routing ({@code --route}), or self-contrast between
 * two routings ({@code --contrast}). Exactly one of the two is set.
 */
public record Decoding(RouteSpec route, ContrastSpec contrast) {

    public Decoding {
        if ((route == null) == (contrast == null)) {
            throw new IllegalArgumentException("give either a route or a contrast, not both");
        }
    }

    public static Decoding routed(RouteSpec route) {
        return new Decoding(route, null);
    }

    public static Decoding contrastive(ContrastSpec contrast) {
        return new Decoding(null, contrast);
    }

    /** A source with the expert evaluations of every pass it makes counted. */
    public record Opened(LogitsSource source, List<RoutingStats> stats) {
        /** Expert evaluations per token per layer, summed over the passes (two for self-contrast). */
        public double expertsPerToken() {
            return stats.stream().mapToDouble(RoutingStats::expertsPerToken).sum();
        }
    }

    /** Checks the routings against the model: named layers and experts must exist. */
    public Decoding validate(ModelConfig config) {
        for (RouteSpec spec : contrast == null ? List.of(route) : List.of(contrast.strong(), contrast.weak())) {
            spec.validate(config.layerCount(), config.expertCount());
        }
        return this;
    }

    /**
     * @param listener also told every routing decision (of the strong pass, for self-contrast); may be null
     */
    public Opened open(MoeModel model, ComputePool pool, int contextSize, RoutingListener listener) {
        validate(model.config());
        RoutingStats first = new RoutingStats();
        Session session = new Session(model, pool, contextSize).listener(RoutingListener.both(first, listener));
        if (contrast == null) {
            return new Opened(session.routing(route), List.of(first));
        }
        RoutingStats second = new RoutingStats();
        Session weak = new Session(model, pool, contextSize).listener(second);
        return new Opened(new ContrastiveSession(session, weak, contrast), List.of(first, second));
    }

    /** The spec as the command line took it, for tables and logs. */
    public String label() {
        return contrast == null ? route.toString() : contrast.toString();
    }

    public boolean isNative() {
        return route != null && route.isNative();
    }
}
