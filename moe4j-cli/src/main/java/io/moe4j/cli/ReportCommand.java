package io.moe4j.cli;

import io.moe4j.report.TraceReport;
import io.moe4j.trace.TraceJsonl;
import io.moe4j.trace.TraceReader;
import io.moe4j.trace.TraceSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Pictures of a routing trace: one self-contained HTML page (inline SVG) with expert load per layer,",
                "gate entropy per layer, expert transitions between consecutive layers and co-activation within a layer."})
final class ReportCommand implements Runnable {
    @Parameters(index = "0", paramLabel = "TRACE", description = "A trace written by 'moe4j trace'.")
    Path trace;

    @Option(names = "--html", paramLabel = "OUT.html", description = "Write the HTML report here.")
    Path html;

    @Option(names = "--jsonl", paramLabel = "OUT.jsonl", description = "Export the trace as JSON Lines here.")
    Path jsonl;

    @Override
    public void run() {
        if (html == null && jsonl == null) {
            throw new UserError("nothing to do: give --html OUT.html and/or --jsonl OUT.jsonl");
        }
        if (!Files.isRegularFile(trace)) {
            throw new UserError("trace file not found: " + trace);
        }
        if (html != null) {
            TraceSummary summary;
            try (TraceReader reader = new TraceReader(trace)) {
                summary = TraceSummary.of(reader);
            } catch (IOException e) {
                throw new UserError("cannot read " + trace + ": " + e.getMessage());
            }
            try {
                Files.writeString(html, TraceReport.html(summary));
            } catch (IOException e) {
                throw new UserError("cannot write " + html + ": " + e.getMessage());
            }
            System.err.printf("moe4j: report of %d tokens written to %s%n", summary.tokens(), html);
        }
        if (jsonl != null) {
            exportJsonl(trace, jsonl);
        }
    }

    static void exportJsonl(Path trace, Path jsonl) {
        try (TraceReader reader = new TraceReader(trace); BufferedWriter out = Files.newBufferedWriter(jsonl)) {
            long tokens = TraceJsonl.export(reader, out);
            System.err.printf("moe4j: %d tokens exported to %s%n", tokens, jsonl);
        } catch (IOException e) {
            throw new UserError("cannot export " + trace + " to " + jsonl + ": " + e.getMessage());
        }
    }
}
