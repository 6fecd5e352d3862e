package io.moe4j.cli;

import io.moe4j.generate.Perplexity;
import io.moe4j.generate.Session;
import io.moe4j.tensor.ComputePool;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

@Command(name = "perplexity", mixinStandardHelpOptions = true,
        description = {"Perplexity over non-overlapping windows of --ctx tokens, every position scored (the first token of each window is context only).",
                "The last line is: ppl=<value> nll=<mean> tokens=<count>"})
final class PerplexityCommand implements Runnable {
    @Mixin
    ModelOptions modelOptions;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--tokens", paramLabel = "FILE.bin", description = "Token ids as uint16 little-endian (like corpus/valid.bin).")
        Path tokens;

        @Option(names = "--text", paramLabel = "FILE", description = "A text file, tokenized with the model's tokenizer.")
        Path text;
    }

    @Option(names = {"-c", "--ctx"}, paramLabel = "N", description = "Window size in tokens (default ${DEFAULT-VALUE}).")
    int ctx = 512;

    @Option(names = "--windows", paramLabel = "N", description = "Evaluate at most N windows (default: all).")
    int windows;

    @Override
    public void run() {
        if (ctx < 2) {
            throw new UserError("--ctx must be at least 2, got " + ctx);
        }
        if (windows < 0) {
            throw new UserError("--windows must not be negative, got " + windows);
        }
        try (LoadedModel loaded = LoadedModel.load(modelOptions.requireModel(), System.err);
             ComputePool pool = modelOptions.pool()) {
            int[] ids = input.tokens != null ? readTokens(input.tokens) : loaded.tokenizer().encode(readText(input.text), false, true);
            int vocab = loaded.model().config().vocabularySize();
            for (int id : ids) {
                if (id >= vocab) {
                    throw new UserError("token id " + id + " in the input is outside the model's vocabulary of " + vocab);
                }
            }
            int total = Perplexity.windowCount(ids.length, ctx);
            int todo = windows > 0 ? Math.min(windows, total) : total;
            System.err.printf("moe4j: %d tokens, %d windows of %d%n", ids.length, todo, ctx);
            long start = System.nanoTime();
            Session session = new Session(loaded.model(), pool, ctx);
            Perplexity.Result r = Perplexity.evaluate(session, ids, ctx, windows, w -> {
                if ((w + 1) % 10 == 0 || w + 1 == todo) {
                    double s = (System.nanoTime() - start) / 1e9;
                    System.err.printf(Locale.ROOT, "moe4j: window %d/%d, %.0f tok/s, %.0f s left%n", w + 1, todo,
                            (w + 1.0) * ctx / s, s / (w + 1) * (todo - w - 1));
                }
            });
            System.out.println(r.summaryLine());
        }
    }

    static int[] readTokens(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            if (bytes.length % 2 != 0) {
                throw new UserError(file + " has an odd number of bytes: expected uint16 token ids");
            }
            ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            int[] ids = new int[bytes.length / 2];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = Short.toUnsignedInt(b.getShort());
            }
            return ids;
        } catch (IOException e) {
            throw new UserError("cannot read " + file + ": " + e.getMessage());
        }
    }

    static String readText(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UserError("cannot read " + file + ": " + e.getMessage());
        }
    }
}
