package io.moe4j.model.synth;

import io.moe4j.generate.Session;
import io.moe4j.gguf.GgmlType;
import io.moe4j.gguf.GgufFile;
import io.moe4j.gguf.GgufTensorInfo;
import io.moe4j.gguf.GgufValue;
import io.moe4j.model.Architectures;
import io.moe4j.model.MoeModel;
import io.moe4j.tensor.BlockFormats;
import io.moe4j.tensor.ComputePool;
import io.moe4j.testing.Shared;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SyntheticModelTest {
    private static ComputePool pool;

    @TempDir
    Path dir;

    @BeforeAll
    static void startPool() {
        pool = new ComputePool(2);
    }

    @AfterAll
    static void stopPool() {
        pool.close();
    }

    private Path write(String shape, GgmlType type, long seed, String fileName) {
        Path file = dir.resolve(fileName);
        SyntheticModel model = new SyntheticModel(ModelShape.preset(shape).orElseThrow(), type, seed);
        SyntheticModelWriter.write(model, file, p -> { });
        return file;
    }

    @ParameterizedTest
    @ValueSource(strings = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q5_K", "Q6_K"})
    void tinyModelOfEveryTypeLoadsAndGivesFiniteVariedLogits(String typeName) {
        GgmlType type = GgmlType.valueOf(typeName);
        Path file = write("tiny", type, 7, "tiny.gguf");
        try (MoeModel model = Architectures.load(file)) {
            assertThat(model.embeddings().format().type()).isEqualTo(type);
            Session session = new Session(model, pool, 16);
            float[] prefill = session.feed(1, 2, 3, 4, 5);
            float[] decode = session.feed(6);
            for (float[] logits : List.of(prefill, decode)) {
                assertThat(logits).hasSize(512);
                assertFiniteAndVaried(logits);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-olmoe", "tiny-mixtral"})
    void tinyModelsOfTheOtherArchitecturesRun(String shape) {
        try (MoeModel model = Architectures.load(write(shape, GgmlType.Q4_0, 3, shape + ".gguf"))) {
            assertThat(model.config().architecture()).isEqualTo(ModelShape.preset(shape).orElseThrow().architecture().ggufName());
            assertFiniteAndVaried(new Session(model, pool, 16).feed(10, 20, 30));
        }
    }

    private static void assertFiniteAndVaried(float[] logits) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : logits) {
            assertThat(Float.isFinite(v)).as("logit %s", v).isTrue();
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        // Random weights must give different scores to different tokens; all-equal logits mean zero weights.
        assertThat(max - min).isGreaterThan(1e-3f);
    }

    @Test
    void sameSeedGivesTheSameFileAndAnotherSeedAnother() throws IOException {
        Path a = write("tiny", GgmlType.Q4_K, 42, "a.gguf");
        Path b = write("tiny", GgmlType.Q4_K, 42, "b.gguf");
        Path c = write("tiny", GgmlType.Q4_K, 43, "c.gguf");
        assertThat(Files.mismatch(a, b)).isEqualTo(-1);
        assertThat(Files.mismatch(a, c)).isNotEqualTo(-1);
        assertThat(Files.size(c)).isEqualTo(Files.size(a));
    }

    @ParameterizedTest
    @CsvSource({"F16", "Q8_0", "Q4_K"})
    void weightsHaveTheIntendedScaleAndNormsAreOnes(String typeName) {
        Path file = write("tiny", GgmlType.valueOf(typeName), 5, "w.gguf");
        try (GgufFile f = GgufFile.open(file)) {
            float[] w = dequantize(f, "blk.1.ffn_up_exps.weight");
            double mean = 0;
            for (float v : w) {
                mean += v;
            }
            mean /= w.length;
            double variance = 0;
            for (float v : w) {
                variance += (v - mean) * (v - mean);
            }
            double std = Math.sqrt(variance / w.length);
            assertThat(mean).isCloseTo(0, within(0.001));
            // Quantization to 4 bits shrinks small values a little; 15% still tells 0.02 from a wrong scale.
            assertThat(std).isCloseTo(SyntheticModel.WEIGHT_STD, within(0.15 * SyntheticModel.WEIGHT_STD));
            assertThat(dequantize(f, "blk.0.attn_norm.weight")).containsOnly(1f);
            assertThat(dequantize(f, "output_norm.weight")).containsOnly(1f);
        }
    }

    private static float[] dequantize(GgufFile f, String name) {
        GgufTensorInfo t = f.tensor(name);
        float[] out = new float[Math.toIntExact(t.elementCount())];
        BlockFormats.of(t.type()).dequantize(f.tensorData(t), 0, out, 0, out.length);
        return out;
    }

    /** Our tiny variants against the fixtures llama.cpp loaded: the same keys (of the same types), tensors, ranks and types. */
    @ParameterizedTest
    @CsvSource({"tiny, qwen3moe", "tiny-olmoe, olmoe", "tiny-mixtral, mixtral"})
    void tinyVariantsFollowTheConventionsOfTheSharedFixtures(String shape, String fixture) {
        for (GgmlType type : List.of(GgmlType.F32, GgmlType.Q8_0, GgmlType.Q4_0)) {
            Path ours = write(shape, type, 1, shape + "-" + type + ".gguf");
            Path theirs = Shared.file("models/synthetic/tiny-" + fixture + "-" + type.name().toLowerCase() + ".gguf");
            try (GgufFile a = GgufFile.open(ours); GgufFile b = GgufFile.open(theirs)) {
                assertThat(keyTypes(a)).as(shape + " " + type).isEqualTo(keyTypes(b));
                assertThat(tensorLayout(a)).as(shape + " " + type).isEqualTo(tensorLayout(b));
                assertThat(a.metadata().getString("general.architecture")).isEqualTo(b.metadata().getString("general.architecture"));
                assertThat(a.metadata().getString("tokenizer.ggml.model")).isEqualTo("none");
            }
        }
    }

    private static Map<String, String> keyTypes(GgufFile f) {
        Map<String, String> types = new TreeMap<>();
        for (Map.Entry<String, GgufValue> e : f.metadata().asMap().entrySet()) {
            if (!e.getKey().equals("general.name")) {
                types.put(e.getKey(), e.getValue().type().name());
            }
        }
        return types;
    }

    private static List<String> tensorLayout(GgufFile f) {
        return f.tensors().stream().map(t -> t.name() + " rank " + t.rank() + " " + t.type()).toList();
    }

    /** The presets have the published totals: 6.92 B (OLMoE-1B-7B), 30.5 B (Qwen3-30B-A3B), 46.7 B (Mixtral 8x7B). */
    @ParameterizedTest
    @CsvSource({"olmoe-1b-7b, 6.92e9", "qwen3-30b-a3b, 30.5e9", "mixtral-8x7b, 46.7e9"})
    void presetsHaveTheParameterCountsOfTheRealModels(String shape, double published) {
        SyntheticModel model = new SyntheticModel(ModelShape.preset(shape).orElseThrow(), GgmlType.Q4_0, 1);
        assertThat((double) model.parameterCount()).isCloseTo(published, within(published * 0.005));
    }

    @Test
    void aTypeWhoseBlocksDoNotTileTheRowsIsRefusedWithTheReason() {
        ModelShape narrow = new ModelShape("narrow", SynthArchitecture.QWEN3MOE, 1, 64, 4, 2, 16, 4, 2, 32, 64, 512, 256, 1e6f, 1e-6f);
        assertThatThrownBy(() -> new SyntheticModel(narrow, GgmlType.Q4_K, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("narrow").hasMessageContaining("Q4_K").hasMessageContaining("256");
    }

    @Test
    void typesAreParsedIgnoringCaseAndUnknownOnesListTheValidOnes() {
        assertThat(SyntheticModel.parseType("q4_k")).isEqualTo(GgmlType.Q4_K);
        assertThatThrownBy(() -> SyntheticModel.parseType("q3_k"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("q3_k").hasMessageContaining("Q4_0").hasMessageContaining("Q6_K");
        assertThatThrownBy(() -> new SyntheticModel(ModelShape.preset("tiny").orElseThrow(), GgmlType.IQ2_XXS, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("IQ2_XXS");
    }

    @Test
    void olmoeAndLlamaShapesMustGiveTheExpertWidthAsFeedForwardLength() {
        assertThatThrownBy(() -> new ModelShape("bad", SynthArchitecture.OLMOE, 1, 256, 4, 4, 64, 8, 2, 256, 512, 512, 256, 1e4f, 1e-5f))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("feed_forward_length");
    }
}
