package io.moe4j.cli;

import io.moe4j.generate.Decoding;
import io.moe4j.generate.Perplexity;
import io.moe4j.tensor.ComputePool;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.Locale;

@Command(name = "perplexity", mixinStandardHelpOptions = true,
        description = {"Perplexity over non-overlapping windows of --ctx tokens, every position scored (the first token of each window is context only).",
                "The line before last is experts_per_token=<mean> (expert evaluations per token per MoE layer, both passes for --contrast).",
                "The last line is: ppl=<value> nll=<mean> tokens=<count>"})
final class PerplexityCommand implements Runnable {
    @Mixin
    ModelOptions modelOptions;

    @Mixin
    RoutingOptions routing;

    @ArgGroup(exclusive = true, multiplicity = "1")
    TokenInput input;

    @Mixin
    ScoringWindows window;

    @Override
    public void run() {
        window.validate();
        int ctx = window.ctx;
        int windows = window.windows;
        Decoding decoding = routing.decoding();
        try (LoadedModel loaded = LoadedModel.load(modelOptions.requireModel(), modelOptions.loadOptions(), System.err);
             ComputePool pool = modelOptions.pool()) {
            int[] ids = input.ids(loaded);
            int total = Perplexity.windowCount(ids.length, ctx);
            int todo = windows > 0 ? Math.min(windows, total) : total;
            System.err.printf("moe4j: %d tokens, %d windows of %d, routing %s%n", ids.length, todo, ctx, decoding.label());
            long start = System.nanoTime();
            Decoding.Opened opened = decoding.open(loaded.model(), pool, ctx, null);
            Perplexity.Result r = Perplexity.evaluate(opened.source(), ids, ctx, windows, w -> {
                if ((w + 1) % 10 == 0 || w + 1 == todo) {
                    double s = (System.nanoTime() - start) / 1e9;
                    System.err.printf(Locale.ROOT, "moe4j: window %d/%d, %.0f tok/s, %.0f s left%n", w + 1, todo,
                            (w + 1.0) * ctx / s, s / (w + 1) * (todo - w - 1));
                }
            });
            System.out.printf(Locale.ROOT, "experts_per_token=%.4f%n", opened.expertsPerToken());
            System.out.println(r.summaryLine());
        }
    }
}
