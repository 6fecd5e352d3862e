package io.moe4j.cli;

import io.moe4j.generate.Session;
import io.moe4j.tensor.ComputePool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

@Command(name = "logits", mixinStandardHelpOptions = true,
        description = "Write the logits of every position after one batched pass (little-endian float32, n_tokens x n_vocab).")
final class LogitsCommand implements Runnable {
    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--tokens", required = true, paramLabel = "IDS", description = "Token ids, space separated, e.g. \"1 2 3\".")
    String tokens;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE", description = "Output file.")
    Path out;

    @Override
    public void run() {
        int[] ids = parseIds(tokens);
        try (LoadedModel loaded = LoadedModel.load(modelOptions.requireModel(), modelOptions.loadOptions(), System.err);
             ComputePool pool = modelOptions.pool()) {
            int vocab = loaded.model().config().vocabularySize();
            for (int id : ids) {
                if (id < 0 || id >= vocab) {
                    throw new UserError("token id " + id + " is outside the vocabulary of " + vocab);
                }
            }
            Session session = new Session(loaded.model(), pool, ids.length);
            float[][] logits = session.feedAll(ids);
            write(logits, out);
            System.err.printf("moe4j: wrote %d x %d logits to %s%n", logits.length, vocab, out);
        } catch (IOException e) {
            throw new UserError("cannot write " + out + ": " + e.getMessage());
        }
    }

    static int[] parseIds(String text) {
        String trimmed = text.trim();
        if (trimmed.isEmpty()) {
            throw new UserError("--tokens is empty: give at least one token id");
        }
        try {
            return Arrays.stream(trimmed.split("[\\s,]+")).mapToInt(Integer::parseInt).toArray();
        } catch (NumberFormatException e) {
            throw new UserError("--tokens must be integers separated by spaces: " + e.getMessage());
        }
    }

    private static void write(float[][] logits, Path file) throws IOException {
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(file))) {
            ByteBuffer row = ByteBuffer.allocate(logits[0].length * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (float[] r : logits) {
                row.clear();
                row.asFloatBuffer().put(r);
                os.write(row.array());
            }
        }
    }
}
