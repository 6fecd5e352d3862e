package io.moe4j.cli;

import io.moe4j.tensor.ComputePool;
import io.moe4j.model.LoadOptions;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;

/** Options every model-running command shares. */
final class ModelOptions {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "MODEL", description = "GGUF model file.")
    Path model;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Compute threads (default: the number of cores, ${DEFAULT-VALUE}).")
    int threads = ComputePool.defaultThreads();

    @Option(names = "--no-repack", description = "Read every weight from the mapped file: no row-grouped copies of "
            + "Q4_0, Q8_0, Q4_K and Q6_K matrices for the integer kernels (which make decode 1.4-4x and olmoe prefill "
            + "about 1.8x faster, and take as much memory again as the matrices used).")
    boolean noRepack;

    LoadOptions loadOptions() {
        return new LoadOptions(!noRepack);
    }

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
