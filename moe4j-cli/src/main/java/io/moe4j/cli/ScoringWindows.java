package io.moe4j.cli;

import picocli.CommandLine.Option;

/** The window flags of the commands that score text ({@code perplexity}, {@code sweep}), checked in one place. */
final class ScoringWindows {
    @Option(names = {"-c", "--ctx"}, paramLabel = "N", description = "Window size in tokens (default ${DEFAULT-VALUE}).")
    int ctx = 512;

    @Option(names = "--windows", paramLabel = "N", description = "Evaluate at most N windows (default: all).")
    int windows;

    void validate() {
        if (ctx < 2) {
            throw new UserError("--ctx must be at least 2, got " + ctx);
        }
        if (windows < 0) {
            throw new UserError("--windows must not be negative, got " + windows);
        }
    }
}
