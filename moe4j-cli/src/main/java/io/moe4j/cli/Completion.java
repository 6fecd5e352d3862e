package io.moe4j.cli;

import io.moe4j.generate.Decoding;
import io.moe4j.generate.Generator;
import io.moe4j.generate.LogitsSource;
import io.moe4j.generate.Sampler;
import io.moe4j.generate.SamplerSettings;
import io.moe4j.route.RouteSpec;
import io.moe4j.tensor.ComputePool;
import io.moe4j.tokenizer.StreamingDecoder;

import java.io.PrintStream;
import java.util.Locale;

/** Streams a completion of a prompt to the terminal and reports the speed, for {@code run} and {@code demo}. */
final class Completion {
    private Completion() {
    }

    static void stream(LoadedModel loaded, ComputePool pool, String prompt, int maxTokens, int contextSize,
                       SamplerSettings sampling, PrintStream out, PrintStream log) {
        stream(loaded, pool, prompt, maxTokens, contextSize, sampling, Decoding.routed(RouteSpec.parse("native")), out, log);
    }

    static void stream(LoadedModel loaded, ComputePool pool, String prompt, int maxTokens, int contextSize,
                       SamplerSettings sampling, Decoding decoding, PrintStream out, PrintStream log) {
        int[] ids = loaded.tokenizer().encode(prompt, true, true);
        int ctx = contextSize > 0 ? contextSize : Math.min(loaded.model().config().contextLength(), 4096);
        if (ids.length >= ctx) {
            throw new UserError("the prompt has " + ids.length + " tokens but the context holds " + ctx
                    + " (use a shorter prompt or a larger --ctx)");
        }
        Decoding.Opened opened = decoding.open(loaded.model(), pool, ctx, null);
        LogitsSource session = opened.source();
        StreamingDecoder decoder = loaded.tokenizer().newStreamingDecoder();
        out.print(prompt);
        out.flush();
        Generator.Stats stats = Generator.generate(session, ids, maxTokens, new Sampler(sampling),
                loaded.tokenizer()::isEndOfGeneration, id -> {
                    out.print(decoder.accept(id));
                    out.flush();
                });
        out.print(decoder.flush());
        out.println();
        out.flush();
        log.printf(Locale.ROOT, "%nmoe4j: prompt %d tokens in %.3f s (%.1f tok/s); generated %d tokens in %.3f s (%.1f tok/s); stop: %s; routing %s, %.2f experts/token%n",
                stats.promptTokens(), stats.prefillNanos() / 1e9, stats.prefillTokensPerSecond(),
                stats.generatedTokens(), stats.decodeNanos() / 1e9, stats.decodeTokensPerSecond(),
                stats.stopReason().name().toLowerCase(Locale.ROOT).replace('_', ' '), decoding.label(), opened.expertsPerToken());
    }
}
