package io.moe4j.model;

import io.moe4j.route.RoutingPlan;
import io.moe4j.tensor.ComputePool;

/** Prints how each fixture compares; a development aid, run by hand. */
public class FixtureProbe {
    public static void main(String[] args) throws Exception {
        try (ComputePool pool = new ComputePool(2)) {
            for (ReferenceLogits f : ReferenceLogits.all()) {
                if (args.length > 0 && !f.name().contains(args[0])) continue;
                try (MoeModel m = Architectures.load(f.model())) {
                    KvCache cache = new KvCache(m.config(), f.tokens().length);
                    float[][] logits = m.forward(pool, f.tokens(), 0, cache, RoutingPlan.NATIVE, null, true);
                    System.out.println(f.name() + ": " + LogitsComparison.of(logits, f.expected()));
                } catch (Exception e) {
                    System.out.println(f.name() + ": " + e);
                }
            }
        }
    }
}
