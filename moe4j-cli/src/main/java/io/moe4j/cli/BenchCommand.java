package io.moe4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.moe4j.generate.Benchmark;
import io.moe4j.generate.MemoryBandwidth;
import io.moe4j.model.Architectures;
import io.moe4j.model.MoeModel;
import io.moe4j.tensor.ComputePool;
import io.moe4j.tensor.LargePages;
import io.moe4j.tensor.OperationTimes;
import io.moe4j.tensor.PageBacking;
import io.moe4j.tensor.ProductTimes;
import io.moe4j.tensor.VectorMath;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure prefill and decode speed like llama-bench: a prefill of -p tokens and a decode of -n tokens,",
                "each repeated -r times after a warm-up (at least 3 s, then until the JIT has compiled nothing for a second",
                "and two runs agree, at most 30 s), plus the weight bandwidth decode achieves and the share it is",
                "of how fast the same threads read memory right then."})
final class BenchCommand implements Runnable {
    @Mixin
    ModelOptions modelOptions;

    @Mixin
    BenchSizeOptions sizes;

    @Option(names = "--json", description = "Print the results as JSON.")
    boolean json;

    @Option(names = "--profile", description = {"Also show where each measurement's time went, by kind of matrix product:",
            "operations per token, time and weight bandwidth of each, and the other work before it."})
    boolean profile;

    @Override
    public void run() {
        sizes.requireValid();
        int prompt = sizes.prompt;
        int generate = sizes.generate;
        int depth = sizes.depth;
        int repetitions = sizes.repetitions;
        try (MoeModel model = Architectures.load(modelOptions.requireModel(), modelOptions.loadOptions()); ComputePool pool = modelOptions.pool()) {
            model.file().preload();
            int ctx = depth + Math.max(prompt, generate);
            if (ctx > model.config().contextLength()) {
                System.err.printf("moe4j: note: %d tokens exceed the model's trained context of %d%n", ctx, model.config().contextLength());
            }
            List<Benchmark.Measurement> results = new ArrayList<>();
            if (prompt > 0) {
                results.add(Benchmark.prefill(model, pool, prompt, depth, repetitions, s -> System.err.println("moe4j: " + s)));
            }
            if (generate > 0) {
                results.add(Benchmark.decode(model, pool, generate, depth, repetitions, s -> System.err.println("moe4j: " + s)));
            }
            double bytesPerToken = model.activeBytesPerToken();
            // measured right after the runs: on a shared machine the speed drifts within minutes
            PageBacking.Share copies = LargePages.mapped();
            String pageNote = pageNote(copies.fraction()); // none mapped (small pages asked for): NaN, no note
            if (pageNote != null) {
                System.err.println("moe4j: note: " + pageNote);
            }
            int layers = model.config().layerCount();
            results.stream().map(m -> fallbackNote(m, layers)).filter(java.util.Objects::nonNull)
                    .forEach(note -> System.err.println("moe4j: warning: " + note));
            MemoryBandwidth.Result memory = generate > 0 ? MemoryBandwidth.measure(pool, MEMORY_TEST_BYTES, MEMORY_TEST_PASSES) : null;
            double memoryRead = memory != null ? memory.gigabytesPerSecond() : Double.NaN;
            if (json) {
                printJson(model, results, bytesPerToken, memory, copies);
            } else {
                // the vector width decides which kernels run (InterleavedRows, Lanes): figures from machines whose
                // JVMs use different widths are not comparable
                System.out.printf(Locale.ROOT, "model: %s (%s), threads: %d, vectors: %d-bit%s, weights read per decoded token: %.1f MB%n",
                        modelOptions.model.getFileName(), model.config().architecture(), pool.threads(), VectorMath.machineVectorBits(),
                        VectorMath.floatVectorsNative() ? "" : " (float kernels without vector instructions)", bytesPerToken / 1e6);
                for (Benchmark.Measurement m : results) {
                    System.out.printf(Locale.ROOT, "%-12s %10.2f ± %.2f tok/s   (median %.2f, best %.2f)%n", m.name(),
                            m.meanTokensPerSecond(), m.sdTokensPerSecond(), m.medianTokensPerSecond(), m.bestTokensPerSecond());
                }
                for (Benchmark.Measurement m : results) {
                    OperationTimes o = m.operations();
                    System.out.printf(Locale.ROOT, "%s: %.1f%% of the time in %,d parallel operations; the calling thread waited %.1f%% at their ends"
                                    + " (%.1f%% in %d waits of %.1f ms or more, each a thread that lost its CPU), and took over %d chunks from a stalled thread%n",
                            m.name(), share(o.operationNanos(), m.nanos()), o.operations(), share(o.waitNanos(), m.nanos()),
                            share(o.longWaitNanos(), m.nanos()), o.longWaits(), OperationTimes.LONG_WAIT_NANOS / 1e6, o.takenOver());
                }
                if (profile) {
                    results.forEach(BenchCommand::printProfile);
                }
                if (copies.bytes() > 0) {
                    System.out.printf(Locale.ROOT, "weight copies: %,.0f MB in memory, %s%n",
                            Math.max(0, copies.residentBytes()) / 1e6, hugePages(copies.fraction()));
                }
                results.stream().filter(m -> m.name().startsWith("tg")).findFirst().ifPresent(m -> {
                    double weights = m.meanTokensPerSecond() * bytesPerToken / 1e9;
                    System.out.printf(Locale.ROOT, "decode weight bandwidth: %.2f GB/s (median run %.2f GB/s), %.0f%% of the memory read speed%n",
                            weights, m.medianTokensPerSecond() * bytesPerToken / 1e9, 100 * weights / memoryRead);
                    System.out.printf(Locale.ROOT, "memory read speed, %d threads, right after: %.2f GB/s (median of %d reads of %d MB, %s)%n",
                            pool.threads(), memoryRead, MEMORY_TEST_PASSES, MEMORY_TEST_BYTES >> 20, hugePages(memory.hugePageShare()));
                    if (!Double.isNaN(m.allocatedBytesPerToken())) {
                        System.out.printf(Locale.ROOT, "decode allocated %,.0f bytes per token%n", m.allocatedBytesPerToken());
                    }
                });
            }
        }
    }

    private static void printProfile(Benchmark.Measurement m) {
        boolean decode = m.name().startsWith("tg");
        // a decode run's operations repeat for each token, a prefill's once
        long perPass = decode ? (long) m.samples().length * m.tokens() : m.samples().length;
        List<ProductTimes.Kind> kinds = m.operations().products().kinds();
        System.out.printf(Locale.ROOT, "%s by kind of matrix product, per %s (and the other work before each):%n", m.name(), decode ? "token" : "prefill");
        System.out.printf(Locale.ROOT, "  %-28s %8s %10s %8s %7s %16s%n", "weights (× products)", "ops", "µs each", "GB/s", "time", "before, µs");
        long inProducts = 0;
        long between = 0;
        for (ProductTimes.Kind k : kinds) {
            long each = Math.round((double) k.products() / k.operations());
            System.out.printf(Locale.ROOT, "  %-28s %8.1f %10.1f %8.1f %6.1f%% %16.1f%n",
                    each > 1 ? k.name() + " ×" + each : k.name(), (double) k.operations() / perPass, k.nanos() / 1e3 / k.operations(),
                    k.gigabytesPerSecond(), share(k.nanos(), m.nanos()), k.nanosBefore() / 1e3 / k.operations());
            inProducts += k.nanos();
            between += k.nanosBefore();
        }
        System.out.printf(Locale.ROOT, "  matrix products %.1f%% of the time, the work between them (attention, norms, routing, gating) %.1f%%, the rest %.1f%%%n",
                share(inProducts, m.nanos()), share(between, m.nanos()), Math.max(0, 100 - share(inProducts + between, m.nanos())));
    }

    /**
     * What to tell the user when a decode measurement of a model of {@code layers} layers allocated like vector code
     * run as the Vector API's Java fallbacks ({@link Benchmark#FALLBACK_BYTES_PER_LAYER}), else null: its speeds are
     * then not the engine's.
     */
    static String fallbackNote(Benchmark.Measurement m, int layers) {
        double bytes = m.allocatedBytesPerToken();
        if (!m.name().startsWith("tg") || Double.isNaN(bytes) || bytes <= Benchmark.FALLBACK_BYTES_PER_LAYER * layers) {
            return null;
        }
        return String.format(Locale.ROOT, "%s allocated %,.0f bytes per token (a compiled decode step allocates only its routing decisions,"
                + " a few hundred bytes a layer): some vector code ran as the Vector API's Java fallbacks during the measured runs,"
                + " so these speeds are below the engine's; %s", m.name(), bytes, VectorMath.floatVectorsNative()
                ? "more repetitions (-r) let the JIT finish, and a new process usually compiles what it left"
                : "with vectors under 128 bits the float code always runs so");
    }

    /** Far larger than any cache, small beside a model. */
    private static final long MEMORY_TEST_BYTES = 256L << 20;
    private static final int MEMORY_TEST_PASSES = 7;

    /** Below this share of the weight copies in 2 MB pages, bench says so: decode then reads them slower. */
    static final double FEW_HUGE_PAGES = 0.9;

    /** What to tell the user when few of the weight copies lie in 2 MB pages, else null. */
    static String pageNote(double fraction) {
        if (Double.isNaN(fraction) || fraction >= FEW_HUGE_PAGES) {
            return null;
        }
        return String.format(Locale.ROOT, "only %.0f%% of the weight copies are in 2 MB pages (the kernel had too few free when they were made),"
                + " so decode reads them slower; with more free memory, or after `echo 1 > /proc/sys/vm/compact_memory`, a new run gets more", 100 * fraction);
    }

    /** A share of memory in 2 MB pages, in words. */
    private static String hugePages(double fraction) {
        return Double.isNaN(fraction) ? "page size unknown" : String.format(Locale.ROOT, "%.0f%% in 2 MB pages", 100 * fraction);
    }

    /** {@code part} as a percentage of {@code whole}. */
    private static double share(long part, long whole) {
        return whole > 0 ? 100.0 * part / whole : 0;
    }

    private void printJson(MoeModel model, List<Benchmark.Measurement> results, double bytesPerToken, MemoryBandwidth.Result memory,
                           PageBacking.Share copies) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("model", modelOptions.model.toString());
        root.put("architecture", model.config().architecture());
        root.put("threads", modelOptions.threads);
        root.put("vector_bits", VectorMath.machineVectorBits());
        root.put("n_depth", sizes.depth);
        root.put("weight_bytes_per_token", bytesPerToken);
        if (memory != null) {
            root.put("memory_read_gb_per_second", memory.gigabytesPerSecond());
            putNumber(root, "memory_read_huge_page_share", memory.hugePageShare());
        }
        root.put("weight_copies_bytes", copies.residentBytes());
        putNumber(root, "weight_copies_huge_page_share", copies.fraction());
        ArrayNode rows = root.putArray("results");
        for (Benchmark.Measurement m : results) {
            ObjectNode r = rows.addObject();
            r.put("test", m.name());
            r.put("tokens_per_second", m.meanTokensPerSecond());
            r.put("sd", m.sdTokensPerSecond());
            r.put("median", m.medianTokensPerSecond());
            r.put("best", m.bestTokensPerSecond());
            ArrayNode samples = r.putArray("samples");
            for (double s : m.samples()) {
                samples.add(s);
            }
            if (m.name().startsWith("tg")) {
                r.put("weight_gb_per_second", m.meanTokensPerSecond() * bytesPerToken / 1e9);
            }
            putNumber(r, "allocated_bytes_per_token", m.allocatedBytesPerToken());
            OperationTimes o = m.operations();
            ObjectNode ops = r.putObject("parallel_operations");
            ops.put("count", o.operations());
            ops.put("share_of_time", share(o.operationNanos(), m.nanos()) / 100);
            ops.put("wait_share_of_time", share(o.waitNanos(), m.nanos()) / 100);
            ops.put("long_waits", o.longWaits());
            ops.put("long_wait_share_of_time", share(o.longWaitNanos(), m.nanos()) / 100);
            ops.put("chunks_taken_over", o.takenOver());
            if (profile) {
                ArrayNode kinds = r.putArray("products");
                for (ProductTimes.Kind k : o.products().kinds()) {
                    ObjectNode kind = kinds.addObject();
                    kind.put("weights", k.name());
                    kind.put("operations", k.operations());
                    kind.put("products", k.products());
                    kind.put("share_of_time", share(k.nanos(), m.nanos()) / 100);
                    kind.put("weight_gb_per_second", k.gigabytesPerSecond());
                    kind.put("share_of_time_before", share(k.nanosBefore(), m.nanos()) / 100);
                }
            }
        }
        try {
            System.out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UserError("cannot write JSON: " + e.getMessage());
        }
    }

    /** A number, or null where it is unknown (NaN). */
    private static void putNumber(ObjectNode node, String name, double value) {
        if (Double.isNaN(value)) {
            node.putNull(name);
        } else {
            node.put(name, value);
        }
    }
}
