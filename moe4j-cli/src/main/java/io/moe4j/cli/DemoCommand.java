package io.moe4j.cli;

import io.moe4j.generate.SamplerSettings;
import io.moe4j.tensor.ComputePool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Complete a Python prompt with the embedded tiny-code-moe model (no download needed).")
final class DemoCommand implements Runnable {
    static final String MODEL = "models/tiny-code-moe-q4_k_m.gguf";

    @Option(names = {"-p", "--prompt"}, paramLabel = "PROMPT", description = "Python code to complete (default: a function header).")
    String prompt = "import os\n\n\ndef list_python_files(directory):\n    \"\"\"Return the paths of the .py files under directory.\"\"\"\n";

    @Option(names = {"-n", "--n-predict"}, paramLabel = "N", description = "Tokens to generate (default ${DEFAULT-VALUE}).")
    int maxTokens = 160;

    @Option(names = "--seed", paramLabel = "S", description = "Random seed (default ${DEFAULT-VALUE}).")
    long seed = 7;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Compute threads (default: the number of cores).")
    int threads = ComputePool.defaultThreads();

    @Override
    public void run() {
        Path model = locateModel();
        SamplerSettings sampling = new SamplerSettings(0.6f, 40, 0.95f, 0.05f, 1.1f, 64, seed);
        try (LoadedModel loaded = LoadedModel.load(model, System.err); ComputePool pool = new ComputePool(Math.max(1, threads))) {
            Completion.stream(loaded, pool, prompt, maxTokens, 512, sampling, System.out, System.err);
        }
    }

    /** The embedded model, next to the launcher ({@code moe4j.home}) or under the working directory. */
    static Path locateModel() {
        String home = System.getProperty("moe4j.home");
        Path p = home != null ? Path.of(home).resolve(MODEL) : Path.of(MODEL);
        if (!Files.isRegularFile(p)) {
            throw new UserError("embedded model not found at " + p.toAbsolutePath() + " (run from the repository root, or use 'moe4j run -m')");
        }
        return p;
    }
}
