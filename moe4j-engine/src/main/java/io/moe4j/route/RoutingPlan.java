package io.moe4j.route;

/** Which router each MoE layer uses. The default sends every layer through the model's own routing. */
@FunctionalInterface
public interface RoutingPlan {
    RoutingPlan NATIVE = new RoutingPlan() {
        private final Router router = new NativeRouter();

        @Override
        public Router forLayer(int layer) {
            return router;
        }

        @Override
        public String toString() {
            return "native";
        }
    };

    Router forLayer(int layer);
}
