package io.moe4j.cli;

import io.moe4j.tensor.ComputePool;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;

/** Options every model-running command shares. */
final class ModelOptions {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "MODEL", description = "GGUF model file.")
    Path model;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Compute threads (default: the number of cores, ${DEFAULT-VALUE}).")
    int threads = ComputePool.defaultThreads();

    Path requireModel() {
        if (!Files.isRegularFile(model)) {
            throw new UserError("model file not found: " + model);
        }
        return model;
    }

    ComputePool pool() {
        if (threads < 1 || threads > 1024) {
            throw new UserError("--threads must be between 1 and 1024, got " + threads);
        }
        return new ComputePool(threads);
    }
}
