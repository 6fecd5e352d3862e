package io.moe4j.cli;

import io.moe4j.generate.Decoding;
import io.moe4j.tensor.ComputePool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "run", mixinStandardHelpOptions = true, description = "Complete a prompt, streaming the text as it is generated.")
final class RunCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Mixin
    SamplingOptions sampling;

    @Mixin
    RoutingOptions routing;

    @Option(names = {"-p", "--prompt"}, required = true, paramLabel = "PROMPT", description = "Text to complete.")
    String prompt;

    @Option(names = {"-n", "--n-predict"}, paramLabel = "N", description = "Most tokens to generate (default ${DEFAULT-VALUE}).")
    int maxTokens = 128;

    @Option(names = {"-c", "--ctx"}, paramLabel = "N", description = "Context size in tokens (default: the model's, at most 4096).")
    int contextSize;

    @Override
    public Integer call() {
        if (maxTokens < 0) {
            throw new UserError("-n must not be negative, got " + maxTokens);
        }
        if (contextSize < 0) {
            throw new UserError("--ctx must be positive, got " + contextSize);
        }
        Decoding decoding = routing.decoding();
        try (LoadedModel loaded = LoadedModel.load(modelOptions.requireModel(), modelOptions.loadOptions(), System.err);
             ComputePool pool = modelOptions.pool()) {
            Completion.stream(loaded, pool, prompt, maxTokens, contextSize, sampling.settings(), decoding, System.out, System.err);
        }
        return 0;
    }
}
