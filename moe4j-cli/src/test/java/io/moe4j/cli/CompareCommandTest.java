package io.moe4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.moe4j.testing.Shared;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code compare}: the two engines' processes alternate, their JSON is read as each prints it, and the ratios are those
 * of each round's pair. llama-bench is not on this machine, so it is a script printing what llama.cpp's {@code -o json}
 * prints (the fields of its README); moe4j's side prints what {@code bench --json} printed in this JVM, its medians set
 * to known values.
 */
class CompareCommandTest {
    private static final String MODEL = Shared.file("models/synthetic/tiny-olmoe-q4_0.gguf").toString();

    @TempDir
    Path dir;

    /** An executable shell script that logs its name and arguments to {@code calls.log}, then runs {@code body}. */
    private Path script(String name, String body) throws IOException {
        Path path = dir.resolve(name);
        Files.writeString(path, "#!/bin/sh\necho \"" + name + " $*\" >> '" + dir.resolve("calls.log") + "'\n" + body + "\n");
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
        return path;
    }

    /** llama-bench's JSON for one process: the prefill's samples scaled by the process's number (1, 2, 3, ...). */
    private Path fakeLlamaBench() throws IOException {
        Path counter = dir.resolve("llama-count");
        Files.writeString(counter, "0");
        String entry = """
                  {"build_commit": "0000000", "build_number": 9749, "model_filename": "%s", "n_threads": 2,
                   "type_k": "f16", "type_v": "f16", "n_prompt": %s, "n_gen": %s, "n_depth": 0,
                   "avg_ts": %s, "stddev_ts": 1.0, "samples_ts": [ %s ]}""";
        String body = "c=$(($(cat '" + counter + "') + 1)); echo $c > '" + counter + "'\n"
                + "cat <<EOF\n[\n" + entry.formatted(MODEL, 4, 0, "$((100 * c))", "$((110 * c)), $((100 * c)), $((90 * c))") + ",\n"
                + entry.formatted(MODEL, 0, 4, "50", "40, 50, 60") + "\n]\nEOF";
        return script("llama-bench", body);
    }

    /** moe4j's side: the JSON of a real {@code bench --json} of the same shape, with prefill median 120 and decode 45 tok/s. */
    private Path fakeMoe4j() throws IOException {
        Console real = Console.run("bench", "-m", MODEL, "-p", "4", "-n", "4", "-r", "1", "-t", "2", "--json");
        assertThat(real.exitCode()).as(real.err()).isZero();
        ObjectMapper mapper = new ObjectMapper();
        JsonNode root = mapper.readTree(real.out());
        for (JsonNode result : root.get("results")) {
            ((ObjectNode) result).put("median", result.get("test").asText().startsWith("pp") ? 120.0 : 45.0);
        }
        Path json = dir.resolve("moe4j.json");
        Files.writeString(json, mapper.writeValueAsString(root));
        return script("moe4j", "cat '" + json + "'");
    }

    @Test
    void alternatesProcessesAndComparesEachRoundsPair() throws IOException {
        Path llama = fakeLlamaBench();
        Path moe4j = fakeMoe4j();
        Console c = Console.run("compare", "--llama-bench", llama.toString(), "--moe4j", moe4j.toString(), "-m", MODEL,
                "-p", "4", "-n", "4", "-t", "2", "-r", "2", "--rounds", "3");
        assertThat(c.exitCode()).as(c.err()).isZero();
        List<String> calls = Files.readAllLines(dir.resolve("calls.log"));
        assertThat(calls).extracting(line -> line.split(" ")[0])
                .containsExactly("llama-bench", "moe4j", "moe4j", "llama-bench", "llama-bench", "moe4j");
        assertThat(calls.get(0)).endsWith("-m " + MODEL + " -p 4 -n 4 -t 2 -r 2 -o json");
        assertThat(calls.get(1)).endsWith("bench -m " + MODEL + " -p 4 -n 4 -d 0 -t 2 -r 2 --json");
        // llama.cpp's prefill medians 100, 200, 300 against moe4j's 120; its decode 50 against 45
        assertThat(c.out()).contains("3 rounds of two processes")
                .containsPattern("1 +100\\.00 +120\\.00 +1\\.200 +50\\.00 +45\\.00 +0\\.900")
                .containsPattern("2 +200\\.00 +120\\.00 +0\\.600")
                .contains("pp4: moe4j / llama.cpp median 0.600x (rounds 0.400-1.200), at least 1.0x in 1 of 3 rounds")
                .contains("tg4: moe4j / llama.cpp median 0.900x (rounds 0.900-0.900), at least 1.0x in 0 of 3 rounds");

        Files.delete(dir.resolve("calls.log"));
        Files.writeString(dir.resolve("llama-count"), "0");
        Console json = Console.run("compare", "--llama-bench", llama.toString(), "--moe4j", moe4j.toString(), "-m", MODEL,
                "-p", "4", "-n", "4", "-t", "2", "--rounds", "1", "--json");
        assertThat(json.exitCode()).as(json.err()).isZero();
        JsonNode root = new ObjectMapper().readTree(json.out());
        assertThat(root.get("prefill_ratio_median").asDouble()).isEqualTo(1.2);
        assertThat(root.get("decode_ratio_median").asDouble()).isEqualTo(0.9);
        assertThat(root.get("rounds").get(0).get("llama_first").asBoolean()).isTrue();
    }

    @Test
    void aMissingOrFailingLlamaBenchEndsInOneLine() throws IOException {
        Path moe4j = script("moe4j", "echo '{}'");
        Console missing = Console.run("compare", "--llama-bench", dir.resolve("nothing-here").toString(), "--moe4j", moe4j.toString(),
                "-m", MODEL);
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err().strip()).startsWith("moe4j: llama-bench not found or not executable").doesNotContain("\n");

        Path failing = script("llama-bench", "echo 'error: failed to load model' >&2; exit 3");
        Console failed = Console.run("compare", "--llama-bench", failing.toString(), "--moe4j", moe4j.toString(), "-m", MODEL,
                "--rounds", "1");
        assertThat(failed.exitCode()).isEqualTo(1);
        assertThat(failed.err()).contains("moe4j: llama-bench failed (exit code 3)");

        Path noPrefill = script("llama-bench2", "echo '[{\"n_prompt\": 0, \"n_gen\": 64, \"n_depth\": 0, \"avg_ts\": 10}]'");
        Console incomplete = Console.run("compare", "--llama-bench", noPrefill.toString(), "--moe4j", moe4j.toString(), "-m", MODEL,
                "--rounds", "1");
        assertThat(incomplete.exitCode()).isEqualTo(1);
        assertThat(incomplete.err()).contains("moe4j: llama-bench reported no pp128 result");
    }
}
