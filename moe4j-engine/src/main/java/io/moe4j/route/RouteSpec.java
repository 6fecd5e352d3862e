package io.moe4j.route;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A routing plan written as text, as {@code --route} takes it.
 *
 * <pre>
 * spec    = part *( ";" part )
 * part    = [ "layers=" layers ":" ] policy  |  "ban:" L "/" E
 * layers  = range *( "," range ),  range = N | A "-" B       (MoE layer indices from 0, A ≤ B)
 * policy  = "native"
 *         | "topk:" K                                         (K ≥ 1; more than the expert count means all)
 *         | "topp:" P [ ",min=" A ] [ ",max=" B ]              (0 &lt; P ≤ 1; 1 ≤ A ≤ B; defaults 1 and all)
 *         | "threshold:" T [ ",k=" K ]                         (0 ≤ T &lt; 1; K candidates, default the model's k)
 *         | "budget:" B [ ",max=" M ]                          (B ≥ 1 evaluations per token on average; M default the model's k)
 *         | "random:" K [ ",seed=" S ]                         (K ≥ 1; S a long, default 0)
 * </pre>
 *
 * A part without {@code layers=} applies to every layer; a later part overrides earlier ones on the
 * layers it names; layers no part names use {@code native}. {@code ban:L/E} parts are not policies: they
 * wrap whatever policy layer L ends up with ({@link BanRouter}), wherever they appear in the spec.
 * Spaces around parts and around {@code ;} are ignored. Examples:
 * {@code topk:2}, {@code topp:0.6,min=1,max=8;layers=0-1:native}, {@code native;ban:2/7;ban:2/9}.
 *
 * <p>Errors are {@link IllegalArgumentException}s whose one-line message names the bad part, for example
 * {@code bad --route part 'topp:1.5': P must be in (0, 1], got 1.5}.
 */
public final class RouteSpec implements RoutingPlan {
    private static final Router NATIVE = new NativeRouter();

    private record Part(String text, int[] layers, Router policy) {
        boolean covers(int layer) {
            return layers == null || Arrays.binarySearch(layers, layer) >= 0;
        }
    }

    private record Ban(String text, int layer, int expert) {
    }

    private final String option;
    private final List<Part> parts;
    private final List<Ban> bans;
    private final Map<Integer, Router> routers = new ConcurrentHashMap<>();

    private RouteSpec(String option, List<Part> parts, List<Ban> bans) {
        this.option = option;
        this.parts = List.copyOf(parts);
        this.bans = List.copyOf(bans);
    }

    /** Parses a {@code --route} spec. */
    public static RouteSpec parse(String spec) {
        return parse(spec, "--route");
    }

    /** @param option what error messages call the spec's source, e.g. {@code --route} */
    public static RouteSpec parse(String spec, String option) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("empty " + option + " spec: give a policy such as native, topk:2 or topp:0.6");
        }
        List<Part> parts = new ArrayList<>();
        List<Ban> bans = new ArrayList<>();
        for (String raw : spec.split(";", -1)) {
            String text = raw.trim();
            try {
                if (text.isEmpty()) {
                    throw new IllegalArgumentException("empty part (two ';' in a row, or one at an end)");
                }
                if (text.startsWith("ban:")) {
                    bans.add(ban(text));
                } else if (text.startsWith("layers=")) {
                    int colon = text.indexOf(':');
                    if (colon < 0) {
                        throw new IllegalArgumentException("layers= must be followed by ':' and a policy, as in layers=0-1:native");
                    }
                    String policy = text.substring(colon + 1).trim();
                    if (policy.startsWith("ban:")) {
                        throw new IllegalArgumentException("ban names its layer itself (ban:L/E); it takes no layers=");
                    }
                    parts.add(new Part(text, layers(text.substring("layers=".length(), colon)), policy(policy)));
                } else {
                    parts.add(new Part(text, null, policy(text)));
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bad " + option + " part '" + text + "': " + e.getMessage(), e);
            }
        }
        return new RouteSpec(option, parts, bans);
    }

    /**
     * Checks the spec against a model: named layers and banned experts must exist, and no layer may lose
     * every expert.
     *
     * @return this spec
     */
    public RouteSpec validate(int layerCount, int expertCount) {
        for (Part p : parts) {
            if (p.layers != null && p.layers[p.layers.length - 1] >= layerCount) {
                throw bad(p.text, "layer " + p.layers[p.layers.length - 1] + " does not exist (the model has " + layerCount
                        + " MoE layers, 0-" + (layerCount - 1) + ")");
            }
        }
        Map<Integer, TreeSet<Integer>> banned = new LinkedHashMap<>();
        for (Ban b : bans) {
            if (b.layer >= layerCount) {
                throw bad(b.text, "layer " + b.layer + " does not exist (the model has " + layerCount + " MoE layers, 0-" + (layerCount - 1) + ")");
            }
            if (b.expert >= expertCount) {
                throw bad(b.text, "expert " + b.expert + " does not exist (the model has " + expertCount + " experts, 0-" + (expertCount - 1) + ")");
            }
            TreeSet<Integer> set = banned.computeIfAbsent(b.layer, l -> new TreeSet<>());
            set.add(b.expert);
            if (set.size() == expertCount) {
                throw bad(b.text, "bans every expert of layer " + b.layer);
            }
        }
        return this;
    }

    @Override
    public Router forLayer(int layer) {
        return routers.computeIfAbsent(layer, this::build);
    }

    private Router build(int layer) {
        Router policy = NATIVE;
        for (Part p : parts) {
            if (p.covers(layer)) {
                policy = p.policy;
            }
        }
        int[] banned = bans.stream().filter(b -> b.layer == layer).mapToInt(Ban::expert).toArray();
        return banned.length == 0 ? policy : new BanRouter(policy, banned);
    }

    /** Whether every layer routes natively: no part other than {@code native} and no ban. */
    public boolean isNative() {
        return bans.isEmpty() && parts.stream().allMatch(p -> p.policy == NATIVE);
    }

    /** The spec as written, with spaces around parts removed. */
    @Override
    public String toString() {
        List<String> texts = new ArrayList<>();
        parts.forEach(p -> texts.add(p.text));
        bans.forEach(b -> texts.add(b.text));
        return String.join(";", texts);
    }

    private IllegalArgumentException bad(String part, String why) {
        return new IllegalArgumentException("bad " + option + " part '" + part + "': " + why);
    }

    private static Router policy(String text) {
        int colon = text.indexOf(':');
        String name = (colon < 0 ? text : text.substring(0, colon)).trim();
        int comma = name.indexOf(',');
        if (comma >= 0) {
            name = name.substring(0, comma).trim();
            throw new IllegalArgumentException(name.equals("native") ? "native takes no arguments"
                    : "expected ':' after the policy name, as in topk:2 or topp:0.6,max=8");
        }
        Arguments args = new Arguments(name, colon < 0 ? null : text.substring(colon + 1));
        Router router = switch (name) {
            case "native" -> NATIVE;
            case "topk" -> new TopKRouter(args.positiveInt("K"));
            case "topp" -> new TopPRouter(args.number("P"), args.intOption("min", 1), args.intOption("max", Integer.MAX_VALUE));
            case "threshold" -> new ThresholdRouter(args.number("T"), args.intOption("k", 0));
            case "budget" -> new BudgetRouter(args.number("B"), args.intOption("max", 0));
            case "random" -> new RandomRouter(args.positiveInt("K"), args.longOption("seed", 0));
            default -> throw new IllegalArgumentException("unknown policy '" + name
                    + "' (expected native, topk:K, topp:P, threshold:T, budget:B, random:K or ban:L/E)");
        };
        args.requireAllUsed();
        return router;
    }

    private static Ban ban(String text) {
        String arg = text.substring("ban:".length()).trim();
        String[] le = arg.split("/", -1);
        if (le.length != 2) {
            throw new IllegalArgumentException("expected ban:L/E (layer / expert), as in ban:2/7");
        }
        return new Ban(text, nonNegative(le[0], "layer"), nonNegative(le[1], "expert"));
    }

    private static int[] layers(String text) {
        TreeSet<Integer> layers = new TreeSet<>();
        for (String item : text.split(",", -1)) {
            String range = item.trim();
            int dash = range.indexOf('-');
            if (dash < 0) {
                layers.add(nonNegative(range, "layer"));
            } else {
                int from = nonNegative(range.substring(0, dash), "layer");
                int to = nonNegative(range.substring(dash + 1), "layer");
                if (from > to) {
                    throw new IllegalArgumentException("layer range " + range + " runs backwards");
                }
                for (int l = from; l <= to; l++) {
                    layers.add(l);
                }
            }
        }
        return layers.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int nonNegative(String text, String what) {
        try {
            int v = Integer.parseInt(text.trim());
            if (v >= 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(what + " must be a whole number ≥ 0, got '" + text.trim() + "'");
    }

    /** Shortest decimal form of a parameter, for canonical names: 0.6 rather than 0.6000000238. */
    public static String format(double v) {
        String s = String.format(Locale.ROOT, "%.6f", v).replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    /** A policy's arguments: one positional value, then {@code key=value} options. */
    private static final class Arguments {
        private final String policy;
        private final String positional;
        private final Map<String, String> options = new LinkedHashMap<>();

        Arguments(String policy, String text) {
            this.policy = policy;
            if (text == null) {
                positional = null;
                return;
            }
            String[] items = text.split(",", -1);
            positional = items[0].trim();
            for (int i = 1; i < items.length; i++) {
                String item = items[i].trim();
                int eq = item.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("expected key=value after the first argument of " + policy + ", got '" + item + "'");
                }
                if (options.put(item.substring(0, eq).trim(), item.substring(eq + 1).trim()) != null) {
                    throw new IllegalArgumentException("option " + item.substring(0, eq).trim() + " given twice");
                }
            }
        }

        private String positional(String what) {
            if (positional == null || positional.isEmpty()) {
                throw new IllegalArgumentException(policy + " needs " + what + ", as in " + policy + ":" + example());
            }
            return positional;
        }

        private String example() {
            return switch (policy) {
                case "topp" -> "0.6";
                case "threshold" -> "0.1";
                case "budget" -> "2.5";
                default -> "2";
            };
        }

        double number(String what) {
            String text = positional(what);
            try {
                return Double.parseDouble(text);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(what + " must be a number, got '" + text + "'");
            }
        }

        int positiveInt(String what) {
            String text = positional(what);
            try {
                return Integer.parseInt(text);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(what + " must be a whole number, got '" + text + "'");
            }
        }

        int intOption(String key, int fallback) {
            String text = options.remove(key);
            try {
                return text == null ? fallback : Integer.parseInt(text);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " must be a whole number, got '" + text + "'");
            }
        }

        long longOption(String key, long fallback) {
            String text = options.remove(key);
            try {
                return text == null ? fallback : Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " must be a whole number, got '" + text + "'");
            }
        }

        void requireAllUsed() {
            if (policy.equals("native") && positional != null) {
                throw new IllegalArgumentException("native takes no arguments");
            }
            if (!options.isEmpty()) {
                throw new IllegalArgumentException("unknown option '" + options.keySet().iterator().next() + "' for " + policy);
            }
        }
    }
}
