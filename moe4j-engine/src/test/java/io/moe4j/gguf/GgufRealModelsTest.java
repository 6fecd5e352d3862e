package io.moe4j.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The shared models, made by llama.cpp and gguf-py, read as their README describes and rewrite byte for byte. */
class GgufRealModelsTest {
    private static final String TINY_CODE_MOE = "tiny-code-moe/tiny-code-moe-q4_k_m.gguf";

    @TempDir
    Path dir;

    static Stream<String> syntheticModels() {
        return Stream.of("qwen3moe", "olmoe", "mixtral", "qwen2moe")
                .flatMap(arch -> Stream.of("f32", "q8_0", "q4_0").map(type -> "synthetic/tiny-" + arch + "-" + type + ".gguf"));
    }

    @Test
    void tinyCodeMoeHasTheDocumentedShape() {
        try (GgufFile f = GgufFile.open(SharedFixtures.model(TINY_CODE_MOE))) {
            GgufMetadata md = f.metadata();
            assertThat(f.version()).isEqualTo(3);
            assertThat(md.getString("general.architecture")).isEqualTo("qwen3moe");
            assertThat(md.getInt("qwen3moe.block_count")).isEqualTo(5);
            assertThat(md.getInt("qwen3moe.embedding_length")).isEqualTo(256);
            assertThat(md.getInt("qwen3moe.expert_count")).isEqualTo(32);
            assertThat(md.getInt("qwen3moe.expert_used_count")).isEqualTo(4);
            assertThat(md.getInt("qwen3moe.context_length")).isEqualTo(512);
            assertThat(md.getFloat("qwen3moe.rope.freq_base")).isEqualTo(10000f);
            assertThat(md.getString("tokenizer.ggml.pre")).isEqualTo("gpt-2");
            String[] tokens = md.getStringArray("tokenizer.ggml.tokens");
            assertThat(tokens).hasSize(50257);
            assertThat(tokens[50256]).isEqualTo("<|endoftext|>");
            assertThat(tokens[220]).isEqualTo("Ġ"); // GPT-2's byte-level mapping of the space
            assertThat(md.getLong("tokenizer.ggml.eos_token_id")).isEqualTo(50256);

            assertThat(f.findTensor("output.weight")).as("tied embeddings").isEmpty();
            assertThat(f.tensor("token_embd.weight").shape()).containsExactly(256, 50257);
            GgufTensorInfo gateExperts = f.tensor("blk.4.ffn_gate_exps.weight");
            assertThat(gateExperts.shape()).containsExactly(256, 128, 32);
            assertThat(gateExperts.type()).isEqualTo(GgmlType.Q4_K);
            assertThat(f.tensors()).extracting(GgufTensorInfo::type).contains(GgmlType.Q4_K, GgmlType.Q6_K, GgmlType.F32);
            assertThat(f.tensors()).filteredOn(t -> t.name().startsWith("blk.")).extracting(t -> t.name().split("\\.")[1]).containsOnly("0", "1", "2", "3", "4");
        }
    }

    @ParameterizedTest
    @MethodSource("syntheticModels")
    void syntheticModelsHaveTheDocumentedShape(String model) {
        try (GgufFile f = GgufFile.open(SharedFixtures.model(model))) {
            GgufMetadata md = f.metadata();
            String arch = md.getString("general.architecture");
            assertThat(arch).isEqualTo(model.contains("mixtral") ? "llama" : model.split("-")[1]);
            assertThat(md.getInt(arch + ".block_count")).isEqualTo(2);
            assertThat(md.getInt(arch + ".embedding_length")).isEqualTo(64);
            assertThat(md.getInt(arch + ".vocab_size")).isEqualTo(512);
            assertThat(md.getString("tokenizer.ggml.model")).isEqualTo("none");
            assertThat(f.tensor("token_embd.weight").shape()).containsExactly(64, 512);
            GgmlType weightType = GgmlType.valueOf(model.substring(model.lastIndexOf('-') + 1, model.length() - ".gguf".length()).toUpperCase());
            assertThat(f.tensor("blk.1.ffn_down_exps.weight").type()).isEqualTo(weightType);
        }
    }

    @Test
    void tinyCodeMoeRewritesByteForByte() throws IOException {
        assertRewritesIdentically(TINY_CODE_MOE);
    }

    @ParameterizedTest
    @MethodSource("syntheticModels")
    void syntheticModelsRewriteByteForByte(String model) throws IOException {
        assertRewritesIdentically(model);
    }

    private void assertRewritesIdentically(String model) throws IOException {
        Path original = SharedFixtures.model(model);
        Path copy = dir.resolve("copy.gguf");
        try (GgufFile f = GgufFile.open(original)) {
            GgufWriter w = new GgufWriter().putAllMetadata(f.metadata());
            f.tensors().forEach(t -> w.addTensor(t.name(), t.shape(), t.type(), f.tensorData(t)));
            assertThat(w.tensors()).containsExactlyElementsOf(f.tensors());
            w.write(copy);
        }
        assertThat(Files.mismatch(original, copy)).as("first differing byte of %s and its rewrite", model).isEqualTo(-1L);
    }
}
