package io.moe4j.model.synth;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The sizes of a MoE decoder: everything a synthetic model needs except its weights. The presets copy
 * the published configurations of real models, so that a synthetic file has their exact tensor shapes
 * and byte sizes; the tiny ones are for tests, one per architecture.
 *
 * @param feedForwardLength the value of {@code <arch>.feed_forward_length}: the dense FFN width for
 *     Qwen3-MoE, the expert width for the architectures that read the expert width from it
 */
public record ModelShape(
        String name,
        SynthArchitecture architecture,
        int layers,
        int hidden,
        int heads,
        int kvHeads,
        int headSize,
        int experts,
        int expertsUsed,
        int expertWidth,
        int feedForwardLength,
        int vocabulary,
        int contextLength,
        float ropeFreqBase,
        float rmsEpsilon) {

    // Context lengths are kept at 4096 rather than the models' full 32K-40K, so that a benchmark that sizes
    // its KV cache by the trained context does not need gigabytes of cache for a speed test.
    private static final List<ModelShape> PRESETS = List.of(
            // allenai/OLMoE-1B-7B-0924
            new ModelShape("olmoe-1b-7b", SynthArchitecture.OLMOE, 16, 2048, 16, 16, 128, 64, 8, 1024, 1024, 50304, 4096, 10_000f, 1e-5f),
            // Qwen/Qwen3-30B-A3B (intermediate_size 6144 is the dense width, moe_intermediate_size 768 the experts')
            new ModelShape("qwen3-30b-a3b", SynthArchitecture.QWEN3MOE, 48, 2048, 32, 4, 128, 128, 8, 768, 6144, 151936, 4096, 1_000_000f, 1e-6f),
            // mistralai/Mixtral-8x7B-v0.1
            new ModelShape("mixtral-8x7b", SynthArchitecture.LLAMA, 32, 4096, 32, 8, 128, 8, 2, 14336, 14336, 32000, 4096, 1_000_000f, 1e-5f),
            // Tiny models for tests. Every row length is a multiple of 256 so that K-quants (blocks of 256) apply too.
            new ModelShape("tiny", SynthArchitecture.QWEN3MOE, 2, 256, 4, 2, 64, 8, 2, 256, 256, 512, 256, 1_000_000f, 1e-6f),
            new ModelShape("tiny-olmoe", SynthArchitecture.OLMOE, 2, 256, 4, 4, 64, 8, 2, 256, 256, 512, 256, 10_000f, 1e-5f),
            new ModelShape("tiny-mixtral", SynthArchitecture.LLAMA, 2, 256, 4, 2, 64, 4, 2, 512, 512, 512, 256, 1_000_000f, 1e-5f));

    public ModelShape {
        if (layers < 1 || hidden < 1 || heads < 1 || kvHeads < 1 || headSize < 2 || experts < 1 || expertWidth < 1
                || feedForwardLength < 1 || vocabulary < 1 || contextLength < 1) {
            throw new IllegalArgumentException(name + ": every size must be positive");
        }
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException(name + ": " + heads + " query heads are not a multiple of " + kvHeads + " KV heads");
        }
        if (expertsUsed < 1 || expertsUsed > experts) {
            throw new IllegalArgumentException(name + ": top-" + expertsUsed + " of " + experts + " experts");
        }
        if (architecture.expertWidthIsFeedForwardLength() && feedForwardLength != expertWidth) {
            throw new IllegalArgumentException(name + ": " + architecture.ggufName()
                    + " files give the expert width as feed_forward_length, so it must be " + expertWidth);
        }
    }

    public static List<ModelShape> presets() {
        return PRESETS;
    }

    public static Optional<ModelShape> preset(String name) {
        return PRESETS.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** The preset names, comma separated, for error messages and help. */
    public static String presetNames() {
        return PRESETS.stream().map(ModelShape::name).collect(Collectors.joining(", "));
    }

    public int queryLength() {
        return heads * headSize;
    }

    public int keyValueLength() {
        return kvHeads * headSize;
    }
}
