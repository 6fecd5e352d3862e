package io.moe4j.cli;

import io.moe4j.generate.Session;
import io.moe4j.route.RouteSpec;
import io.moe4j.route.RoutingListener;
import io.moe4j.route.RoutingStats;
import io.moe4j.tensor.ComputePool;
import io.moe4j.trace.TraceWriter;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

@Command(name = "trace", mixinStandardHelpOptions = true,
        description = {"Record the routing of every token in every MoE layer: chosen experts, their weights, the gate entropy.",
                "The input is fed in windows of --ctx tokens (the last one may be shorter), each from position 0.",
                "Format: docs/trace-format.md; view with 'moe4j report TRACE --html OUT.html'."})
final class TraceCommand implements Runnable {
    @Mixin
    ModelOptions modelOptions;

    @ArgGroup(exclusive = true, multiplicity = "1")
    TokenInput input;

    @Option(names = "--route", paramLabel = "SPEC", description = RoutingOptions.ROUTE_HELP)
    String route = "native";

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "TRACE", description = "Binary trace file to write.")
    Path out;

    @Option(names = "--jsonl", paramLabel = "FILE", description = "Also export the trace as JSON Lines.")
    Path jsonl;

    @Option(names = {"-c", "--ctx"}, paramLabel = "N", description = "Window size in tokens (default ${DEFAULT-VALUE}).")
    int ctx = 512;

    @Option(names = "--windows", paramLabel = "N", description = "Trace at most N windows (default: all).")
    int windows;

    @Override
    public void run() {
        if (ctx < 1) {
            throw new UserError("--ctx must be positive, got " + ctx);
        }
        if (windows < 0) {
            throw new UserError("--windows must not be negative, got " + windows);
        }
        RouteSpec spec = RouteSpec.parse(route);
        try (LoadedModel loaded = LoadedModel.load(modelOptions.requireModel(), modelOptions.loadOptions(), System.err);
             ComputePool pool = modelOptions.pool()) {
            var config = loaded.model().config();
            spec.validate(config.layerCount(), config.expertCount());
            int[] ids = input.ids(loaded);
            int total = (ids.length + ctx - 1) / ctx;
            int todo = windows > 0 ? Math.min(windows, total) : total;
            if (todo == 0) {
                throw new UserError("the input has no tokens");
            }
            RoutingStats stats = new RoutingStats();
            long start = System.nanoTime();
            String model = config.name() + " (" + modelOptions.model.getFileName() + ")";
            try (TraceWriter writer = new TraceWriter(out, config.gating(), config.layerCount(), model, spec.toString())) {
                Session session = new Session(loaded.model(), pool, ctx).routing(spec).listener(RoutingListener.both(writer, stats));
                for (int w = 0; w < todo; w++) {
                    session.reset();
                    session.feed(Arrays.copyOfRange(ids, w * ctx, Math.min(ids.length, (w + 1) * ctx)));
                }
                System.err.printf(Locale.ROOT, "moe4j: traced %d tokens in %.1f s, %.3f experts/token, to %s%n",
                        writer.tokens(), (System.nanoTime() - start) / 1e9, stats.expertsPerToken(), out);
            }
            if (jsonl != null) {
                ReportCommand.exportJsonl(out, jsonl);
            }
        } catch (IOException e) {
            throw new UserError("cannot write " + out + ": " + e.getMessage());
        }
    }
}
