package io.moe4j.cli;

import io.moe4j.generate.ContrastSpec;
import io.moe4j.generate.Decoding;
import io.moe4j.route.RouteSpec;
import picocli.CommandLine.Option;

/** {@code --route} and {@code --contrast}: how the model routes its tokens, for {@code run} and {@code perplexity}. */
final class RoutingOptions {
    static final String ROUTE_HELP = "Routing policy, per layer if wanted: native, topk:K, topp:P[,min=A,max=B], threshold:T[,k=K], "
            + "budget:B[,max=M], random:K[,seed=S], ban:L/E; parts joined by ';', each optionally 'layers=A-B,C:' first; "
            + "e.g. \"topp:0.6,max=8;layers=0-1:native\" (default: native).";

    @Option(names = "--route", paramLabel = "SPEC", description = ROUTE_HELP)
    String route;

    @Option(names = "--contrast", paramLabel = "SPEC",
            description = "Self-contrast decoding (SCMoE): strong=SPEC,weak=SPEC,beta=B,alpha=A, e.g. \"strong=native,weak=topk:1,beta=0.5,alpha=0.1\".")
    String contrast;

    /** Parsed before the model loads, so that a typo fails at once. */
    Decoding decoding() {
        if (route != null && contrast != null) {
            throw new UserError("give --route or --contrast, not both (--contrast sets its own strong and weak routes)");
        }
        return contrast != null ? Decoding.contrastive(ContrastSpec.parse(contrast))
                : Decoding.routed(RouteSpec.parse(route == null ? "native" : route));
    }
}
