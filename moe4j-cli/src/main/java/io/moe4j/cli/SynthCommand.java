package io.moe4j.cli;

import io.moe4j.gguf.GgmlType;
import io.moe4j.model.synth.ModelShape;
import io.moe4j.model.synth.SyntheticModel;
import io.moe4j.model.synth.SyntheticModelWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

@Command(name = "synth", mixinStandardHelpOptions = true,
        description = {"Write a model with random weights and the exact shape of a real one, for speed measurements.",
                "The file is streamed as it is made, so models of many gigabytes need little memory; llama.cpp loads it too."})
final class SynthCommand implements Runnable {
    @Option(names = "--shape", required = true, paramLabel = "SHAPE",
            description = "Model shape: olmoe-1b-7b, qwen3-30b-a3b, mixtral-8x7b, or tiny, tiny-olmoe, tiny-mixtral for tests.")
    String shape;

    @Option(names = "--type", required = true, paramLabel = "TYPE",
            description = "Weight type of the matrices, e.g. F16, Q8_0, Q4_0, Q4_K, Q6_K (norms and router stay F32).")
    String type;

    @Option(names = "--seed", paramLabel = "S", description = "Random seed; the same seed gives the same file (default ${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(names = {"-f", "--force"}, description = "Overwrite OUT if it exists.")
    boolean force;

    @Parameters(index = "0", paramLabel = "OUT", description = "GGUF file to write.")
    Path out;

    @Override
    public void run() {
        ModelShape modelShape = ModelShape.preset(shape)
                .orElseThrow(() -> new UserError("unknown shape '" + shape + "' (valid: " + ModelShape.presetNames() + ")"));
        GgmlType weightType;
        try {
            weightType = SyntheticModel.parseType(type);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        SyntheticModel model = new SyntheticModel(modelShape, weightType, seed);
        checkOutput(model.dataBytes());
        System.err.printf(Locale.ROOT, "moe4j: writing %s (%s) with %s weights: %s parameters, %d tensors, %s%n",
                modelShape.name(), modelShape.architecture().ggufName(), weightType, count(model.parameterCount()),
                model.tensors().size(), bytes(model.dataBytes()));
        ProgressLine progress = new ProgressLine(System.nanoTime());
        long start = System.nanoTime();
        SyntheticModelWriter.write(model, out, progress::update);
        progress.finish();
        double seconds = (System.nanoTime() - start) / 1e9;
        long size = fileSize();
        System.out.printf(Locale.ROOT, "wrote %s: %,d bytes (%s) in %.1f s (%.0f MB/s)%n",
                out, size, bytes(size), seconds, size / 1e6 / seconds);
    }

    /** Fails before anything is written, rather than after minutes of writing, for the mistakes that can be seen up front. */
    private void checkOutput(long bytes) {
        if (Files.isDirectory(out)) {
            throw new UserError(out + " is a directory; give the file to write");
        }
        if (Files.exists(out) && !force) {
            throw new UserError(out + " already exists; use --force to overwrite it");
        }
        Path dir = out.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            throw new UserError("cannot write " + out + ": directory " + dir + " does not exist");
        }
        if (!Files.isWritable(dir)) {
            throw new UserError("cannot write " + out + ": directory " + dir + " is not writable");
        }
        try {
            FileStore store = Files.getFileStore(dir);
            // A store without a size (a pseudo file system) says nothing about room; the write will tell.
            if (store.getTotalSpace() > 0 && store.getUsableSpace() < bytes) {
                throw new UserError("cannot write " + out + ": it needs " + bytes(bytes) + " but only "
                        + bytes(store.getUsableSpace()) + " are free in " + dir);
            }
        } catch (IOException e) {
            // The free space is unknown; the write itself will report a full disk.
        }
    }

    private static String bytes(long n) {
        return n >= 1e9 ? String.format(Locale.ROOT, "%.2f GB", n / 1e9) : String.format(Locale.ROOT, "%.1f MB", n / 1e6);
    }

    private static String count(long n) {
        return n >= 1e9 ? String.format(Locale.ROOT, "%.2f B", n / 1e9) : String.format(Locale.ROOT, "%.2f M", n / 1e6);
    }

    private long fileSize() {
        try {
            return Files.size(out);
        } catch (IOException e) {
            throw new UserError("cannot read the size of " + out + ": " + e.getMessage());
        }
    }

    /**
     * Progress on stderr: rewritten in place about four times a second on a terminal, otherwise one line
     * every ten seconds so that logs stay short.
     */
    private static final class ProgressLine {
        private final boolean terminal = System.console() != null && System.console().isTerminal();
        private final long intervalNanos = terminal ? 250_000_000L : 10_000_000_000L;
        private final long start;
        private long lastPrinted;
        private SyntheticModelWriter.Progress last;

        ProgressLine(long start) {
            this.start = start;
            this.lastPrinted = start;
        }

        void update(SyntheticModelWriter.Progress p) {
            last = p;
            long now = System.nanoTime();
            if (now - lastPrinted >= intervalNanos) {
                lastPrinted = now;
                print(p, now, terminal ? "\r" : "", terminal ? "" : "\n");
            }
        }

        void finish() {
            if (terminal && last != null) {
                print(last, System.nanoTime(), "\r", "\n");
            }
        }

        private void print(SyntheticModelWriter.Progress p, long now, String prefix, String suffix) {
            double seconds = Math.max(1e-9, (now - start) / 1e9);
            System.err.printf(Locale.ROOT, "%smoe4j: tensor %d/%d %-28s %,9.0f / %,.0f MB  %4.0f MB/s%s", prefix,
                    p.tensorIndex() + 1, p.tensorCount(), p.tensorName(), p.bytesWritten() / 1e6, p.totalBytes() / 1e6,
                    p.bytesWritten() / 1e6 / seconds, suffix);
            System.err.flush();
        }
    }
}
