package io.moe4j.generate;

import io.moe4j.route.RouteSpec;

import java.util.HashSet;
import java.util.Set;

/**
 * Self-contrast decoding (SCMoE, Shi et al., 2024) as {@code --contrast} takes it:
 * {@code strong=SPEC,weak=SPEC,beta=B,alpha=A}, every key optional, defaults
 * {@code strong=native,weak=topk:1,beta=0.5,alpha=0.1}. SPECs are {@link RouteSpec}s; they may contain
 * commas, since the text is only split before the next {@code key=}.
 *
 * @param beta  how strongly the weak model's opinion is subtracted (0: the strong model alone)
 * @param alpha tokens whose strong probability is below alpha times the strongest one are not contrasted
 */
public record ContrastSpec(RouteSpec strong, RouteSpec weak, double beta, double alpha) {

    public ContrastSpec {
        if (!(beta >= 0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("beta must be a number ≥ 0, got " + beta);
        }
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("alpha must be in [0, 1], got " + alpha);
        }
    }

    public static ContrastSpec parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty --contrast spec: give e.g. strong=native,weak=topk:1,beta=0.5,alpha=0.1");
        }
        RouteSpec strong = RouteSpec.parse("native");
        RouteSpec weak = RouteSpec.parse("topk:1");
        double beta = 0.5;
        double alpha = 0.1;
        Set<String> seen = new HashSet<>();
        for (String raw : text.split(",(?=\\s*(strong|weak|beta|alpha)\\s*=)")) {
            String part = raw.trim();
            int eq = part.indexOf('=');
            String key = eq < 0 ? "" : part.substring(0, eq).trim();
            String value = eq < 0 ? "" : part.substring(eq + 1).trim();
            if (!seen.add(key)) {
                throw bad(part, key + " given twice");
            }
            switch (key) {
                case "strong" -> strong = RouteSpec.parse(value, "--contrast strong");
                case "weak" -> weak = RouteSpec.parse(value, "--contrast weak");
                case "beta" -> beta = number(part, value);
                case "alpha" -> alpha = number(part, value);
                default -> throw bad(part, "expected strong=SPEC, weak=SPEC, beta=B or alpha=A");
            }
        }
        try {
            return new ContrastSpec(strong, weak, beta, alpha);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad --contrast spec '" + text.trim() + "': " + e.getMessage(), e);
        }
    }

    private static double number(String part, String value) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw bad(part, "'" + value + "' is not a number");
        }
    }

    private static IllegalArgumentException bad(String part, String why) {
        return new IllegalArgumentException("bad --contrast part '" + part + "': " + why);
    }

    /** The spec in the form {@link #parse} reads, prefixed {@code scmoe:} so tables tell it from a route. */
    @Override
    public String toString() {
        return "scmoe:strong=" + strong + ",weak=" + weak + ",beta=" + RouteSpec.format(beta) + ",alpha=" + RouteSpec.format(alpha);
    }
}
