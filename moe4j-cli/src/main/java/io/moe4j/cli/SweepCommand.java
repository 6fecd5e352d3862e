package io.moe4j.cli;

import io.moe4j.generate.ContrastSpec;
import io.moe4j.generate.Decoding;
import io.moe4j.generate.Perplexity;
import io.moe4j.generate.RoutingSweep;
import io.moe4j.report.SweepReport;
import io.moe4j.route.RouteSpec;
import io.moe4j.tensor.ComputePool;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = {"Perplexity and experts evaluated per token of several routing policies on the same windows:",
                "writes sweep.md (a Markdown table) and sweep.svg (perplexity against experts per token) to --out-dir.",
                "native is always measured, first, as the baseline."})
final class SweepCommand implements Runnable {
    @Mixin
    ModelOptions modelOptions;

    @ArgGroup(exclusive = true, multiplicity = "1")
    TokenInput input;

    @Option(names = "--route", paramLabel = "SPEC", description = "A routing policy to measure (repeat the option for several).")
    List<String> routes = new ArrayList<>();

    @Option(names = "--contrast", paramLabel = "SPEC", description = "A self-contrast decoding to measure (repeatable), as for 'run --contrast'.")
    List<String> contrasts = new ArrayList<>();

    @Mixin
    ScoringWindows window;

    @Option(names = "--out-dir", paramLabel = "DIR", description = "Where to write sweep.md and sweep.svg (default ${DEFAULT-VALUE}).")
    Path outDir = Path.of("sweep-out");

    @Override
    public void run() {
        window.validate();
        int ctx = window.ctx;
        int windows = window.windows;
        List<Decoding> decodings = decodings();
        try (LoadedModel loaded = LoadedModel.load(modelOptions.requireModel(), modelOptions.loadOptions(), System.err);
             ComputePool pool = modelOptions.pool()) {
            int[] ids = input.ids(loaded);
            int total = Perplexity.windowCount(ids.length, ctx);
            System.err.printf("moe4j: %d policies, %d windows of %d each%n", decodings.size(), windows > 0 ? Math.min(windows, total) : total, ctx);
            long start = System.nanoTime();
            List<RoutingSweep.Row> rows = RoutingSweep.run(loaded.model(), pool, decodings, ids, ctx, windows, row ->
                    System.err.printf(Locale.ROOT, "moe4j: %-40s experts/token %.3f  ppl %.4f  (%.0f s)%n", row.policy(),
                            row.expertsPerToken(), row.result().perplexity(), (System.nanoTime() - start) / 1e9));
            String table = SweepReport.markdown(rows);
            Files.createDirectories(outDir);
            Files.writeString(outDir.resolve("sweep.md"), table);
            Files.writeString(outDir.resolve("sweep.svg"), SweepReport.svg(rows));
            System.out.print(table);
            System.err.printf("moe4j: wrote %s and %s%n", outDir.resolve("sweep.md"), outDir.resolve("sweep.svg"));
        } catch (IOException e) {
            throw new UserError("cannot write to " + outDir + ": " + e.getMessage());
        }
    }

    /** Every spec parsed before the model loads; native first, added if missing. */
    private List<Decoding> decodings() {
        if (routes.isEmpty() && contrasts.isEmpty()) {
            throw new UserError("nothing to sweep: give at least one --route SPEC or --contrast SPEC");
        }
        List<Decoding> out = new ArrayList<>();
        for (String r : routes) {
            out.add(Decoding.routed(RouteSpec.parse(r)));
        }
        for (String c : contrasts) {
            out.add(Decoding.contrastive(ContrastSpec.parse(c)));
        }
        int nativeAt = -1;
        for (int i = 0; i < out.size() && nativeAt < 0; i++) {
            nativeAt = out.get(i).isNative() ? i : -1;
        }
        out.addFirst(nativeAt < 0 ? Decoding.routed(RouteSpec.parse("native")) : out.remove(nativeAt));
        return out;
    }
}
