package io.moe4j.cli;

import io.moe4j.testing.Shared;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code --no-repack}: decode on the file's layout gives the text decode on row-grouped copies gives. */
class RepackOptionTest {
    private static final String MODEL = Shared.file("models/tiny-code-moe/tiny-code-moe-q8_0.gguf").toString();

    @Test
    void greedyTextIsTheSameWithAndWithoutCopies() {
        String[] args = {"run", "-m", MODEL, "-p", "def parse_args(argv):", "-n", "24", "--temp", "0", "-t", "2"};
        Console withCopies = Console.run(args);
        String[] withoutArgs = java.util.Arrays.copyOf(args, args.length + 1);
        withoutArgs[args.length] = "--no-repack";
        Console without = Console.run(withoutArgs);
        assertThat(withCopies.exitCode()).as(withCopies.err()).isZero();
        assertThat(without.exitCode()).as(without.err()).isZero();
        assertThat(withCopies.out()).startsWith("def parse_args(argv):").hasSizeGreaterThan("def parse_args(argv):".length());
        assertThat(without.out()).isEqualTo(withCopies.out());
    }

    @Test
    void theOptionIsListedInHelp() {
        Console c = Console.run("bench", "--help");
        assertThat(c.out()).contains("--no-repack");
    }
}
