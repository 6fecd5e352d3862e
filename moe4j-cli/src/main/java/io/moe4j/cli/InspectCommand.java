package io.moe4j.cli;

import io.moe4j.gguf.GgufFile;
import io.moe4j.gguf.GgufTensorInfo;
import io.moe4j.gguf.GgufValue;
import io.moe4j.model.Architectures;
import io.moe4j.model.ModelConfig;
import io.moe4j.model.MoeModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Show a model's architecture, sizes, parameter counts and tensors.")
final class InspectCommand implements Runnable {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "MODEL", description = "GGUF model file.")
    Path model;

    @Option(names = "--metadata", description = "Also list every metadata key and value.")
    boolean metadata;

    @Override
    public void run() {
        if (!Files.isRegularFile(model)) {
            throw new UserError("model file not found: " + model);
        }
        PrintStream out = System.out;
        try (MoeModel m = Architectures.load(model)) {
            GgufFile f = m.file();
            ModelConfig c = m.config();
            out.printf(Locale.ROOT, "file:            %s (GGUF v%d, %.1f MB)%n", model, f.version(), f.fileSize() / 1e6);
            out.printf("name:            %s%n", c.name());
            out.printf("architecture:    %s (%s)%n", c.architecture(), Architectures.forName(c.architecture()).description());
            out.printf("layers:          %d%n", c.layerCount());
            out.printf("hidden size:     %d%n", c.embeddingLength());
            out.printf("attention:       %d query heads, %d KV heads, head size %d, RoPE %s over %d dims (base %.0f), q/k norm %s%n",
                    c.headCount(), c.headCountKv(), c.headSize(), c.ropeType(), c.ropeDimensions(), c.ropeFreqBase(), c.qkNorm());
            out.printf("experts:         %d, top-%d, width %d, %s gating%s%s%n", c.expertCount(), c.expertsPerToken(),
                    c.expertFfnLength(), c.gating().function().name().toLowerCase(Locale.ROOT),
                    c.gating().normalizeChosen() ? ", chosen weights renormalised" : "",
                    c.sharedExpertLength() > 0 ? ", shared expert of width " + c.sharedExpertLength() : "");
            out.printf("vocabulary:      %d%n", c.vocabularySize());
            out.printf("context length:  %d%n", c.contextLength());
            out.printf(Locale.ROOT, "parameters:      %,d (%.2fM)%n", m.parameterCount(), m.parameterCount() / 1e6);
            out.printf(Locale.ROOT, "active/token:    %,d (%.2fM, %.1f%%)%n", m.activeParameterCount(), m.activeParameterCount() / 1e6,
                    100.0 * m.activeParameterCount() / m.parameterCount());
            out.printf(Locale.ROOT, "weights read/token in decode: %.2f MB%n", m.activeBytesPerToken() / 1e6);
            if (metadata) {
                out.println();
                out.println("metadata:");
                for (Map.Entry<String, GgufValue> e : f.metadata().asMap().entrySet()) {
                    out.printf("  %-48s %s%n", e.getKey(), e.getValue());
                }
            }
            out.println();
            out.printf("%-36s %-6s %-22s %12s%n", "tensor", "type", "shape", "bytes");
            for (GgufTensorInfo t : f.tensors()) {
                out.printf(Locale.ROOT, "%-36s %-6s %-22s %,12d%n", t.name(), t.type(), Arrays.toString(t.shape()), t.byteSize());
            }
        }
    }
}
