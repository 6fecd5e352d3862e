package io.moe4j.cli;

import picocli.CommandLine.Option;

/** The sizes of a benchmark, with llama-bench's names and defaults: what {@code bench} measures and {@code compare} passes on. */
final class BenchSizeOptions {
    @Option(names = {"-p", "--n-prompt"}, paramLabel = "N", description = "Prefill tokens; 0 skips prefill (default ${DEFAULT-VALUE}).")
    int prompt = 128;

    @Option(names = {"-n", "--n-gen"}, paramLabel = "N", description = "Decode tokens; 0 skips decode (default ${DEFAULT-VALUE}).")
    int generate = 64;

    @Option(names = {"-d", "--n-depth"}, paramLabel = "N",
            description = "Tokens already in the context before each prefill and decode, filled untimed (default ${DEFAULT-VALUE}).")
    int depth = 0;

    @Option(names = {"-r", "--repetitions"}, paramLabel = "N", description = "Repetitions after the warm-up (default ${DEFAULT-VALUE}).")
    int repetitions = 3;

    void requireValid() {
        if (prompt < 0 || generate < 0 || depth < 0 || repetitions < 1) {
            throw new UserError("-p, -n and -d must not be negative and -r must be positive");
        }
    }
}
