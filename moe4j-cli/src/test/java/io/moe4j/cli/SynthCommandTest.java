package io.moe4j.cli;

import io.moe4j.model.Architectures;
import io.moe4j.model.MoeModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class SynthCommandTest {
    @TempDir
    Path dir;

    /** The exit code and what went to stderr. */
    record Outcome(int exitCode, String err) {
    }

    private static Outcome run(String... args) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            int code = Main.execute(args);
            return new Outcome(code, captured.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(original);
        }
    }

    @Test
    void unknownShapeFailsWithOneLineListingTheValidShapes() {
        Path out = dir.resolve("x.gguf");
        Outcome o = run("synth", "--shape", "gpt-5", "--type", "q4_0", out.toString());
        assertThat(o.exitCode()).isNotZero();
        assertThat(o.err().strip().lines()).hasSize(1);
        assertThat(o.err()).contains("unknown shape 'gpt-5'").contains("olmoe-1b-7b").contains("qwen3-30b-a3b").contains("mixtral-8x7b");
        assertThat(out).doesNotExist();
    }

    @Test
    void unknownTypeFailsWithOneLineListingTheValidTypes() {
        Outcome o = run("synth", "--shape", "tiny", "--type", "q3_k", dir.resolve("x.gguf").toString());
        assertThat(o.exitCode()).isNotZero();
        assertThat(o.err().strip().lines()).hasSize(1);
        assertThat(o.err()).contains("q3_k").contains("Q4_K").contains("F16");
    }

    @Test
    void writesALoadableModelAndOverwritesOnlyWithForce() throws IOException {
        Path out = dir.resolve("tiny.gguf");
        assertThat(run("synth", "--shape", "tiny-mixtral", "--type", "q8_0", "--seed", "9", out.toString()).exitCode()).isZero();
        try (MoeModel model = Architectures.load(out)) {
            assertThat(model.config().architecture()).isEqualTo("llama");
        }
        byte[] first = Files.readAllBytes(out);

        Outcome refused = run("synth", "--shape", "tiny", "--type", "q4_0", out.toString());
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.err().strip().lines()).hasSize(1);
        assertThat(refused.err()).contains("already exists").contains("--force");
        assertThat(Files.readAllBytes(out)).isEqualTo(first);

        assertThat(run("synth", "--shape", "tiny", "--type", "q4_0", "--force", out.toString()).exitCode()).isZero();
        assertThat(Files.readAllBytes(out)).isNotEqualTo(first);
    }

    @Test
    void missingDirectoryFailsBeforeWriting() {
        Outcome o = run("synth", "--shape", "tiny", "--type", "q4_0", dir.resolve("no/such/dir/x.gguf").toString());
        assertThat(o.exitCode()).isNotZero();
        assertThat(o.err().strip().lines()).hasSize(1);
        assertThat(o.err()).contains("does not exist");
    }
}
