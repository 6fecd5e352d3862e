package io.moe4j.cli;

import io.moe4j.generate.SamplerSettings;
import picocli.CommandLine.Option;

/** Sampling flags, with llama.cpp's names and defaults. */
final class SamplingOptions {
    @Option(names = "--temp", paramLabel = "T", description = "Temperature; 0 = greedy (default ${DEFAULT-VALUE}).")
    float temperature = SamplerSettings.DEFAULT.temperature();

    @Option(names = "--top-k", paramLabel = "K", description = "Keep the K most likely tokens; 0 = off (default ${DEFAULT-VALUE}).")
    int topK = SamplerSettings.DEFAULT.topK();

    @Option(names = "--top-p", paramLabel = "P", description = "Nucleus sampling mass (default ${DEFAULT-VALUE}).")
    float topP = SamplerSettings.DEFAULT.topP();

    @Option(names = "--min-p", paramLabel = "P", description = "Drop tokens below P times the best one's probability (default ${DEFAULT-VALUE}).")
    float minP = SamplerSettings.DEFAULT.minP();

    @Option(names = "--repeat-penalty", paramLabel = "R", description = "Penalty for recently seen tokens; 1 = off (default ${DEFAULT-VALUE}).")
    float repeatPenalty = SamplerSettings.DEFAULT.repeatPenalty();

    @Option(names = "--repeat-last-n", paramLabel = "N", description = "How many recent tokens the penalty covers (default ${DEFAULT-VALUE}).")
    int repeatLastN = SamplerSettings.DEFAULT.repeatLastN();

    @Option(names = "--seed", paramLabel = "S", description = "Random seed (default ${DEFAULT-VALUE}).")
    long seed = SamplerSettings.DEFAULT.seed();

    SamplerSettings settings() {
        return new SamplerSettings(temperature, topK, topP, minP, repeatPenalty, repeatLastN, seed);
    }
}
