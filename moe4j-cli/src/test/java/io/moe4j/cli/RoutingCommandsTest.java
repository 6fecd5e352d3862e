package io.moe4j.cli;

import io.moe4j.testing.Shared;
import io.moe4j.trace.TraceReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class RoutingCommandsTest {
    private static final String MODEL = Shared.file("models/tiny-code-moe/tiny-code-moe-f16.gguf").toString();
    private static final String CORPUS = Shared.file("corpus/valid.bin").toString();

    @ParameterizedTest
    @ValueSource(strings = {"run -p x", "perplexity --tokens " + "CORPUS", "trace --tokens CORPUS -o unused.trace",
            "sweep --tokens CORPUS --route topk:2"})
    void aBadRouteSpecIsOneLineNamingTheBadPart(String command) {
        String[] args = (command.replace("CORPUS", CORPUS) + " -m " + MODEL).split(" ");
        String[] withRoute = Arrays.copyOf(args, args.length + 2);
        withRoute[args.length] = "--route";
        withRoute[args.length + 1] = "native;topp:1.5,max=8";
        Console c = Console.run(withRoute);
        assertThat(c.exitCode()).isEqualTo(1);
        assertThat(c.err()).isEqualTo("moe4j: bad --route part 'topp:1.5,max=8': P must be in (0, 1], got 1.5" + System.lineSeparator());
    }

    @Test
    void aBadContrastSpecIsOneLine() {
        Console c = Console.run("perplexity", "-m", MODEL, "--tokens", CORPUS, "--contrast", "strong=native,weak=topk:0");
        assertThat(c.exitCode()).isEqualTo(1);
        assertThat(c.err()).isEqualTo("moe4j: bad --contrast weak part 'topk:0': K must be at least 1, got 0" + System.lineSeparator());
    }

    @Test
    void aSpecNamingAMissingLayerFailsAfterLoadingInOneLine() {
        Console c = Console.run("perplexity", "-m", MODEL, "--tokens", CORPUS, "--route", "ban:5/0");
        assertThat(c.exitCode()).isEqualTo(1);
        assertThat(c.err().lines().toList().getLast())
                .isEqualTo("moe4j: bad --route part 'ban:5/0': layer 5 does not exist (the model has 5 MoE layers, 0-4)");
    }

    @Test
    void perplexityPrintsExpertsPerTokenBeforeItsLastLine() {
        Console c = Console.run("perplexity", "-m", MODEL, "--tokens", CORPUS, "--ctx", "16", "--windows", "2", "-t", "1",
                "--route", "topk:2;layers=0:topk:1");
        assertThat(c.exitCode()).as(c.err()).isZero();
        var lines = c.out().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).isEqualTo("experts_per_token=1.8000");
        assertThat(lines.get(1)).matches("ppl=\\d+\\.\\d{4} nll=\\d+\\.\\d{5} tokens=32");
    }

    @Test
    void perplexityWithContrastCountsBothPasses() {
        Console c = Console.run("perplexity", "-m", MODEL, "--tokens", CORPUS, "--ctx", "16", "--windows", "1", "-t", "1",
                "--contrast", "strong=native,weak=topk:1,beta=0.5,alpha=0.1");
        assertThat(c.exitCode()).as(c.err()).isZero();
        assertThat(c.out().lines().toList().getFirst()).isEqualTo("experts_per_token=5.0000");
    }

    @Test
    void traceThenReport(@TempDir Path dir) throws IOException {
        Path tokens = dir.resolve("t.bin");
        ByteBuffer b = ByteBuffer.allocate(2 * 40).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 40; i++) {
            b.putShort((short) (100 + i));
        }
        Files.write(tokens, b.array());
        Path trace = dir.resolve("t.trace");
        Console c = Console.run("trace", "-m", MODEL, "--tokens", tokens.toString(), "--ctx", "16", "--route", "threshold:0.2",
                "-o", trace.toString(), "--jsonl", dir.resolve("t.jsonl").toString(), "-t", "1");
        assertThat(c.exitCode()).as(c.err()).isZero();
        try (TraceReader reader = new TraceReader(trace)) {
            assertThat(reader.header().routing()).isEqualTo("threshold:0.2");
            assertThat(reader.header().layerCount()).isEqualTo(5);
            // windows of 16, 16 and 8 tokens, each from position 0
            int count = 0;
            for (var r = reader.next(); r != null; r = reader.next()) {
                assertThat(r.position()).isEqualTo(count % 16);
                count++;
            }
            assertThat(count).isEqualTo(40);
        }
        assertThat(Files.readAllLines(dir.resolve("t.jsonl"))).hasSize(41);

        Path html = dir.resolve("r.html");
        Console r = Console.run("report", trace.toString(), "--html", html.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(Files.readString(html)).startsWith("<!DOCTYPE html>").contains("<svg").contains("Layer 3 → layer 4");
    }

    @Test
    void reportRejectsAFileThatIsNotATrace(@TempDir Path dir) throws IOException {
        Path notTrace = dir.resolve("x.trace");
        Files.writeString(notTrace, "hello world, not a trace");
        Console c = Console.run("report", notTrace.toString(), "--html", dir.resolve("r.html").toString());
        assertThat(c.exitCode()).isEqualTo(1);
        assertThat(c.err()).isEqualTo("moe4j: cannot read " + notTrace + ": not a moe4j routing trace: bad magic" + System.lineSeparator());
    }

    @Test
    void sweepWritesATableAndAPlotWithNativeFirst(@TempDir Path dir) throws IOException {
        Console c = Console.run("sweep", "-m", MODEL, "--tokens", CORPUS, "--ctx", "16", "--windows", "1", "-t", "1",
                "--route", "topk:2", "--route", "native", "--out-dir", dir.toString());
        assertThat(c.exitCode()).as(c.err()).isZero();
        String md = Files.readString(dir.resolve("sweep.md"));
        assertThat(md.lines().toList()).hasSize(4);
        assertThat(md.lines().toList().get(2)).startsWith("| `native` | 4.000 | +0.0% |");
        assertThat(md.lines().toList().get(3)).startsWith("| `topk:2` | 2.000 | -50.0% |");
        assertThat(c.out()).isEqualTo(md);
        assertThat(Files.readString(dir.resolve("sweep.svg"))).startsWith("<svg").contains("<circle");
    }
}
