package io.moe4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moe4j.generate.Benchmark;
import io.moe4j.testing.Shared;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code bench}'s report: rows like llama-bench's, decode's weight bandwidth and the memory read speed beside it. */
class BenchCommandTest {
    private static final String MODEL = Shared.file("models/synthetic/tiny-olmoe-q4_0.gguf").toString();

    @Test
    void reportsDecodeAgainstTheMemoryReadSpeed() throws Exception {
        Console text = Console.run("bench", "-m", MODEL, "-p", "0", "-n", "4", "-r", "1", "-t", "2");
        assertThat(text.exitCode()).as(text.err()).isZero();
        assertThat(text.out()).containsPattern("threads: 2, vectors: (128|256|512)-bit")
                .containsPattern("tg4 +[0-9.]+ ± [0-9.]+ tok/s")
                .containsPattern("decode weight bandwidth: [0-9.]+ GB/s \\(median run [0-9.]+ GB/s\\), [0-9]+% of the memory read speed")
                .containsPattern("memory read speed, 2 threads, right after: [0-9.]+ GB/s \\(median of 7 reads of 256 MB, ([0-9]+% in 2 MB pages|page size unknown)\\)")
                .containsPattern("weight copies: [0-9,]+ MB in memory, ([0-9]+% in 2 MB pages|page size unknown)")
                .containsPattern("decode allocated [0-9,]+ bytes per token")
                .containsPattern("tg4: [0-9.]+% of the time in [0-9,]+ parallel operations; the calling thread waited [0-9.]+% at their ends"
                        + " \\([0-9.]+% in [0-9]+ waits of 0.5 ms or more, each a thread that lost its CPU\\), and took over [0-9]+ chunks from a stalled thread");

        Console json = Console.run("bench", "-m", MODEL, "-p", "0", "-n", "4", "-r", "1", "-t", "2", "--json");
        assertThat(json.exitCode()).as(json.err()).isZero();
        JsonNode root = new ObjectMapper().readTree(json.out());
        assertThat(root.get("memory_read_gb_per_second").asDouble()).isPositive();
        assertThat(root.get("vector_bits").asInt()).isIn(128, 256, 512);
        assertThat(root.get("weight_copies_bytes").asLong()).isPositive(); // the Q4_0 matrices' row-grouped copies
        for (String share : new String[] {"memory_read_huge_page_share", "weight_copies_huge_page_share"}) {
            assertThat(root.has(share)).as(share).isTrue();
            if (!root.get(share).isNull()) {
                assertThat(root.get(share).asDouble()).as(share).isBetween(0.0, 1.0);
            }
        }
        assertThat(root.get("results").get(0).get("test").asText()).isEqualTo("tg4");
        JsonNode operations = root.get("results").get(0).get("parallel_operations");
        assertThat(operations.get("count").asLong()).isNotNegative(); // the tiny model's products may all run on the caller
        assertThat(operations.get("share_of_time").asDouble()).isBetween(0.0, 1.0);
        assertThat(operations.get("wait_share_of_time").asDouble()).isBetween(0.0, operations.get("share_of_time").asDouble());
        assertThat(operations.get("chunks_taken_over").asLong()).isNotNegative();
        assertThat(root.get("results").get(0).get("allocated_bytes_per_token").asDouble()).isNotNegative();
    }

    /**
     * A decode that allocated like vector code run as the Vector API's Java fallbacks gets a warning; a compiled one,
     * and a prefill (which allocates its rounded rows by design), do not.
     */
    @Test
    void warnsWhenDecodeAllocatesLikeUncompiledVectorCode() {
        io.moe4j.tensor.OperationTimes none = new io.moe4j.tensor.OperationTimes();
        double[] twoRuns = {50, 50};
        // 5 layers: up to 5 KB a token is routing decisions
        long fallback = (long) (2 * 32 * 5 * Benchmark.FALLBACK_BYTES_PER_LAYER) + 2 * 32;
        assertThat(BenchCommand.fallbackNote(new Benchmark.Measurement("tg32", 32, 50, 0, twoRuns, none, 1, fallback), 5))
                .startsWith("tg32 allocated 5,121 bytes per token").contains("Java fallbacks");
        assertThat(BenchCommand.fallbackNote(new Benchmark.Measurement("tg32", 32, 50, 0, twoRuns, none, 1, fallback), 6)).isNull();
        assertThat(BenchCommand.fallbackNote(new Benchmark.Measurement("tg32", 32, 50, 0, twoRuns, none, 1, 2 * 32 * 726), 5)).isNull();
        assertThat(BenchCommand.fallbackNote(new Benchmark.Measurement("pp64", 64, 50, 0, twoRuns, none, 1, fallback * 4), 5)).isNull();
        assertThat(BenchCommand.fallbackNote(new Benchmark.Measurement("tg32", 32, 50, 0, twoRuns, none, 1, -1), 5)).isNull();
    }

    /**
     * {@code --profile} adds, per measurement, the matrix products by kind: each layer's q/k/v, attention output, router
     * gate, experts' gate/up and down once per token, and their shares of the time.
     */
    @Test
    void profilesTheProductsByKind() throws Exception {
        Console text = Console.run("bench", "-m", MODEL, "-p", "8", "-n", "4", "-r", "1", "-t", "2", "--profile");
        assertThat(text.exitCode()).as(text.err()).isZero();
        assertThat(text.out()).contains("pp8 by kind of matrix product, per prefill").contains("tg4 by kind of matrix product, per token")
                .containsPattern("ffn_gate_exps.weight ×[0-9]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+% +[0-9.]+")
                .containsPattern("matrix products [0-9.]+% of the time, the work between them \\(attention, norms, routing, gating\\) [0-9.]+%");

        Console json = Console.run("bench", "-m", MODEL, "-p", "0", "-n", "4", "-r", "1", "-t", "2", "--json", "--profile");
        assertThat(json.exitCode()).as(json.err()).isZero();
        JsonNode products = new ObjectMapper().readTree(json.out()).get("results").get(0).get("products");
        java.util.Map<String, JsonNode> byName = new java.util.HashMap<>();
        double share = 0;
        for (JsonNode kind : products) {
            byName.put(kind.get("weights").asText(), kind);
            share += kind.get("share_of_time").asDouble() + kind.get("share_of_time_before").asDouble();
        }
        assertThat(byName).containsKeys("attn_q.weight", "attn_output.weight", "ffn_gate_inp.weight", "ffn_gate_exps.weight", "ffn_down_exps.weight");
        long perLayer = byName.get("attn_output.weight").get("operations").asLong();
        for (String kind : java.util.List.of("attn_q.weight", "ffn_gate_inp.weight", "ffn_gate_exps.weight", "ffn_down_exps.weight")) {
            assertThat(byName.get(kind).get("operations").asLong()).as(kind).isEqualTo(perLayer);
        }
        assertThat(byName.get("attn_q.weight").get("products").asLong()).isEqualTo(3 * perLayer);
        assertThat(share).isBetween(0.0, 1.0);
    }

    /** {@code -d} fills the context before each run, as llama-bench's does, and names the rows after it. */
    @Test
    void decodesAfterAFilledContext() throws Exception {
        Console json = Console.run("bench", "-m", MODEL, "-p", "0", "-n", "4", "-d", "40", "-r", "1", "-t", "2", "--json");
        assertThat(json.exitCode()).as(json.err()).isZero();
        JsonNode root = new ObjectMapper().readTree(json.out());
        assertThat(root.get("n_depth").asInt()).isEqualTo(40);
        assertThat(root.get("results").get(0).get("test").asText()).isEqualTo("tg4 @ d40");

        Console negative = Console.run("bench", "-m", MODEL, "-d", "-1");
        assertThat(negative.exitCode()).isNotZero();
        assertThat(negative.err()).contains("-d must not be negative").doesNotContain("Exception");
    }

    @Test
    void saysSoWhenFewWeightCopiesLieInLargePages() {
        assertThat(BenchCommand.pageNote(0.42)).contains("only 42% of the weight copies are in 2 MB pages");
        assertThat(BenchCommand.pageNote(0.95)).isNull();
        assertThat(BenchCommand.pageNote(1.0)).isNull();
        assertThat(BenchCommand.pageNote(Double.NaN)).as("unknown: nothing to say").isNull();
    }
}
