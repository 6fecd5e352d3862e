package io.moe4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.moe4j.generate.Benchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * moe4j against llama.cpp on the same file and machine: {@code llama-bench} and {@code moe4j bench} in separate
 * processes that alternate, round after round, so that a shared machine's drift (its memory read speed moves by tens of
 * percent within minutes) falls on both; each round's ratio compares two processes run one right after the other.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Run llama.cpp's llama-bench and moe4j bench on the same model in processes",
                "that alternate round after round (llama-bench first in odd rounds); print",
                "each engine's prefill and decode speed per round, the ratio moe4j / llama.cpp",
                "of each round's pair, and the median ratio."})
final class CompareCommand implements Runnable {
    @Option(names = "--llama-bench", required = true, paramLabel = "PATH", description = "llama.cpp's llama-bench binary.")
    Path llamaBench;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE", description = "The GGUF model both engines run.")
    Path model;

    @Mixin
    BenchSizeOptions sizes;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Threads for both engines (default: the number of cores).")
    Integer threads;

    @Option(names = "--rounds", paramLabel = "N", description = "Pairs of processes (default ${DEFAULT-VALUE}).")
    int rounds = 3;

    @Option(names = "--moe4j", paramLabel = "PATH", description = "The moe4j launcher to run (default: the one running this command).")
    Path launcher;

    @Option(names = "--json", description = "Print the results as JSON.")
    boolean json;

    /** A line that opens a JSON array or object, after any indentation. */
    private static final java.util.regex.Pattern JSON_LINE = java.util.regex.Pattern.compile("(?m)^[ \\t]*[\\[{]");

    /** One engine's figures from one process: tokens per second of the prefill and of the decode (NaN when not run). */
    record Speeds(double prefill, double decode) {
    }

    @Override
    public void run() {
        sizes.requireValid();
        if (rounds < 1 || (sizes.prompt == 0 && sizes.generate == 0)) {
            throw new UserError("--rounds must be positive, and -p and -n not both 0");
        }
        if (!Files.isExecutable(llamaBench) || Files.isDirectory(llamaBench)) {
            throw new UserError("llama-bench not found or not executable: " + llamaBench + " (give the path of llama.cpp's llama-bench binary)");
        }
        if (!Files.isRegularFile(model)) {
            throw new UserError("model file not found: " + model);
        }
        Path moe4j = launcher != null ? launcher : defaultLauncher();
        int threadCount = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        List<Speeds> llama = new ArrayList<>();
        List<Speeds> ours = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            boolean llamaFirst = round % 2 == 1;
            for (int turn = 0; turn < 2; turn++) {
                boolean runLlama = (turn == 0) == llamaFirst;
                System.err.printf("moe4j: compare: round %d/%d, %s%n", round, rounds, runLlama ? "llama-bench" : "moe4j bench");
                if (runLlama) {
                    llama.add(llamaSpeeds(runProcess("llama-bench", llamaCommand(threadCount)), sizes.prompt, sizes.generate, sizes.depth));
                } else {
                    ours.add(moe4jSpeeds(runProcess("moe4j bench", moe4jCommand(moe4j, threadCount)), sizes.prompt, sizes.generate, sizes.depth));
                }
            }
        }
        if (json) {
            System.out.println(toJson(llama, ours, threadCount));
        } else {
            System.out.print(table(llama, ours, threadCount));
        }
    }

    private Path defaultLauncher() {
        String home = System.getProperty("moe4j.home");
        if (home == null) {
            throw new UserError("cannot tell where the moe4j launcher is: give it with --moe4j PATH");
        }
        return Path.of(home, "moe4j");
    }

    List<String> llamaCommand(int threadCount) {
        List<String> command = new ArrayList<>(List.of(llamaBench.toString(), "-m", model.toString(), "-p", String.valueOf(sizes.prompt),
                "-n", String.valueOf(sizes.generate), "-t", String.valueOf(threadCount), "-r", String.valueOf(sizes.repetitions), "-o", "json"));
        if (sizes.depth > 0) {
            command.addAll(List.of("-d", String.valueOf(sizes.depth)));
        }
        return command;
    }

    List<String> moe4jCommand(Path moe4j, int threadCount) {
        return List.of(moe4j.toString(), "bench", "-m", model.toString(), "-p", String.valueOf(sizes.prompt), "-n", String.valueOf(sizes.generate),
                "-d", String.valueOf(sizes.depth), "-t", String.valueOf(threadCount), "-r", String.valueOf(sizes.repetitions), "--json");
    }

    /** Runs a command to its end and returns what it printed on stdout; its stderr goes to ours (progress). */
    private static String runProcess(String name, List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            process.getOutputStream().close();
            byte[] out = process.getInputStream().readAllBytes();
            int code = process.waitFor();
            if (code != 0) {
                throw new UserError(name + " failed (exit code " + code + "): " + String.join(" ", command));
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UserError("cannot run " + name + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError(name + " interrupted");
        }
    }

    /**
     * llama-bench's {@code -o json}: an array of tests, each with {@code n_prompt}, {@code n_gen}, {@code n_depth},
     * {@code avg_ts} and (in recent builds) {@code samples_ts}; the median of the samples where given, as moe4j reports.
     */
    static Speeds llamaSpeeds(String output, int prompt, int generate, int depth) {
        JsonNode tests = parse("llama-bench", output);
        if (!tests.isArray()) {
            throw new UserError("llama-bench printed no JSON array of tests (is it a llama.cpp build with -o json?)");
        }
        double prefill = Double.NaN;
        double decode = Double.NaN;
        for (JsonNode test : tests) {
            int p = test.path("n_prompt").asInt(-1);
            int g = test.path("n_gen").asInt(-1);
            int d = test.path("n_depth").asInt(0);
            if (d != depth) {
                continue;
            }
            if (p == prompt && g == 0 && prompt > 0) {
                prefill = llamaFigure(test);
            } else if (p == 0 && g == generate && generate > 0) {
                decode = llamaFigure(test);
            }
        }
        return checked("llama-bench", new Speeds(prefill, decode), prompt, generate);
    }

    private static double llamaFigure(JsonNode test) {
        JsonNode samples = test.path("samples_ts");
        if (samples.isArray() && !samples.isEmpty()) {
            double[] values = new double[samples.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = samples.get(i).asDouble();
            }
            return Benchmark.median(values);
        }
        return test.path("avg_ts").asDouble(Double.NaN);
    }

    /** {@code moe4j bench --json}: results named like llama-bench's rows ({@code pp128}, {@code tg64 @ d512}), each with its median. */
    static Speeds moe4jSpeeds(String output, int prompt, int generate, int depth) {
        JsonNode results = parse("moe4j bench", output).path("results");
        String pp = Benchmark.name("pp", prompt, depth);
        String tg = Benchmark.name("tg", generate, depth);
        double prefill = Double.NaN;
        double decode = Double.NaN;
        for (JsonNode result : results) {
            String test = result.path("test").asText();
            if (test.equals(pp)) {
                prefill = result.path("median").asDouble(Double.NaN);
            } else if (test.equals(tg)) {
                decode = result.path("median").asDouble(Double.NaN);
            }
        }
        return checked("moe4j bench", new Speeds(prefill, decode), prompt, generate);
    }

    private static JsonNode parse(String name, String output) {
        // from the first line that opens JSON: some builds print log lines to stdout before it
        java.util.regex.Matcher opening = JSON_LINE.matcher(output);
        if (!opening.find()) {
            throw new UserError(name + " printed no JSON");
        }
        int start = opening.start();
        try {
            return new ObjectMapper().readTree(output.substring(start));
        } catch (IOException e) {
            throw new UserError(name + " printed JSON that does not parse: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    private static Speeds checked(String name, Speeds s, int prompt, int generate) {
        if (prompt > 0 && !(s.prefill() > 0)) {
            throw new UserError(name + " reported no pp" + prompt + " result");
        }
        if (generate > 0 && !(s.decode() > 0)) {
            throw new UserError(name + " reported no tg" + generate + " result");
        }
        return s;
    }

    /** Each round's ratio moe4j / llama.cpp for one measurement. */
    private static double[] ratios(List<Speeds> llama, List<Speeds> ours, boolean prefill) {
        double[] r = new double[llama.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = prefill ? ours.get(i).prefill() / llama.get(i).prefill() : ours.get(i).decode() / llama.get(i).decode();
        }
        return r;
    }

    private String table(List<Speeds> llama, List<Speeds> ours, int threadCount) {
        StringBuilder out = new StringBuilder();
        String pp = Benchmark.name("pp", sizes.prompt, sizes.depth);
        String tg = Benchmark.name("tg", sizes.generate, sizes.depth);
        out.append(String.format(Locale.ROOT, "model: %s, threads: %d, %d rounds of two processes (llama-bench first in odd rounds), medians of -r %d runs%n",
                model.getFileName(), threadCount, rounds, sizes.repetitions));
        out.append(String.format(Locale.ROOT, "%-6s", "round"));
        if (sizes.prompt > 0) {
            out.append(String.format(Locale.ROOT, " %16s %16s %7s", "llama.cpp " + pp, "moe4j " + pp, "ratio"));
        }
        if (sizes.generate > 0) {
            out.append(String.format(Locale.ROOT, " %16s %16s %7s", "llama.cpp " + tg, "moe4j " + tg, "ratio"));
        }
        out.append('\n');
        for (int i = 0; i < rounds; i++) {
            out.append(String.format(Locale.ROOT, "%-6d", i + 1));
            if (sizes.prompt > 0) {
                out.append(String.format(Locale.ROOT, " %16.2f %16.2f %7.3f", llama.get(i).prefill(), ours.get(i).prefill(),
                        ours.get(i).prefill() / llama.get(i).prefill()));
            }
            if (sizes.generate > 0) {
                out.append(String.format(Locale.ROOT, " %16.2f %16.2f %7.3f", llama.get(i).decode(), ours.get(i).decode(),
                        ours.get(i).decode() / llama.get(i).decode()));
            }
            out.append('\n');
        }
        if (sizes.prompt > 0) {
            out.append(summary(pp, ratios(llama, ours, true)));
        }
        if (sizes.generate > 0) {
            out.append(summary(tg, ratios(llama, ours, false)));
        }
        return out.toString();
    }

    private static String summary(String test, double[] ratios) {
        double min = Arrays.stream(ratios).min().orElse(Double.NaN);
        double max = Arrays.stream(ratios).max().orElse(Double.NaN);
        long atLeastOne = Arrays.stream(ratios).filter(r -> r >= 1.0).count();
        return String.format(Locale.ROOT, "%s: moe4j / llama.cpp median %.3fx (rounds %.3f-%.3f), at least 1.0x in %d of %d rounds%n",
                test, Benchmark.median(ratios), min, max, atLeastOne, ratios.length);
    }

    private String toJson(List<Speeds> llama, List<Speeds> ours, int threadCount) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("model", model.toString());
        root.put("threads", threadCount);
        root.put("n_prompt", sizes.prompt);
        root.put("n_gen", sizes.generate);
        root.put("n_depth", sizes.depth);
        root.put("repetitions", sizes.repetitions);
        ArrayNode roundsNode = root.putArray("rounds");
        for (int i = 0; i < rounds; i++) {
            ObjectNode r = roundsNode.addObject();
            r.put("llama_first", i % 2 == 0);
            if (sizes.prompt > 0) {
                r.put("llama_prefill_tokens_per_second", llama.get(i).prefill());
                r.put("moe4j_prefill_tokens_per_second", ours.get(i).prefill());
            }
            if (sizes.generate > 0) {
                r.put("llama_decode_tokens_per_second", llama.get(i).decode());
                r.put("moe4j_decode_tokens_per_second", ours.get(i).decode());
            }
        }
        if (sizes.prompt > 0) {
            root.put("prefill_ratio_median", Benchmark.median(ratios(llama, ours, true)));
        }
        if (sizes.generate > 0) {
            root.put("decode_ratio_median", Benchmark.median(ratios(llama, ours, false)));
        }
        try {
            return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
