package io.moe4j.report;

import io.moe4j.generate.Perplexity;
import io.moe4j.generate.RoutingSweep.Row;
import io.moe4j.trace.LayerRoute;
import io.moe4j.trace.TokenRoute;
import io.moe4j.trace.TraceHeader;
import io.moe4j.trace.TraceSummary;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ReportTest {

    private static List<Document> svgs(String html) throws Exception {
        List<Document> out = new ArrayList<>();
        Matcher m = Pattern.compile("<svg.*?</svg>", Pattern.DOTALL).matcher(html);
        while (m.find()) {
            out.add(DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(new ByteArrayInputStream(m.group().getBytes(StandardCharsets.UTF_8))));
        }
        return out;
    }

    private static TraceSummary summary() {
        TraceSummary s = new TraceSummary(new TraceHeader(1, 3, 8, 2, "tiny <model>", "topp:0.6"));
        SplittableRandom r = new SplittableRandom(1);
        for (int t = 0; t < 50; t++) {
            List<LayerRoute> layers = new ArrayList<>();
            for (int l = 0; l < 3; l++) {
                layers.add(new LayerRoute(r.ints(0, 8).distinct().limit(1 + r.nextInt(3)).toArray(), new float[0], (float) r.nextDouble()));
            }
            s.add(new TokenRoute(t, layers.stream().map(x -> new LayerRoute(x.experts(), new float[x.count()], x.entropy())).toList()));
        }
        return s;
    }

    @Test
    void traceReportIsOneSelfContainedPageOfWellFormedSvg() throws Exception {
        String html = TraceReport.html(summary());
        // load + entropy + 2 transition matrices + 3 co-activation matrices
        List<Document> svgs = svgs(html);
        assertThat(svgs).hasSize(1 + 1 + 2 + 3);
        assertThat(html).doesNotContain("<script").doesNotContain("src=").doesNotContain("<link")
                .contains("tiny &lt;model&gt;").contains("Layer 0 → layer 1").contains("Expert load").contains("Gate entropy");
        assertThat(html.replace("http://www.w3.org/2000/svg", "")).doesNotContain("http");
        // the load heatmap has one cell per layer and expert
        assertThat(svgs.get(0).getElementsByTagName("rect").getLength()).isEqualTo(3 * 8 + 2);
    }

    @Test
    void heatmapColoursGrowWithTheValue() {
        assertThat(Svg.colour(0)).isEqualTo("#f7fbff");
        assertThat(Svg.colour(1)).isEqualTo("#08306b");
        assertThat(Svg.colour(2)).isEqualTo("#08306b");
    }

    @Test
    void ticksAreRoundNumbersCoveringTheRange() {
        assertThat(Svg.ticks(0, 4.4, 5)).containsExactly(0, 1, 2, 3, 4);
        double[] fine = Svg.ticks(3.75, 4.2, 5);
        assertThat(fine).hasSize(5);
        for (int i = 0; i < fine.length; i++) {
            assertThat(fine[i]).isCloseTo(3.8 + 0.1 * i, within(1e-9));
        }
    }

    private static Row row(String policy, boolean nat, double ept, double nll) {
        return new Row(policy, nat, ept, new Perplexity.Result(nll, 1000, 2));
    }

    @Test
    void sweepTableComparesEveryRowWithNative() {
        List<Row> rows = List.of(row("topk:2", false, 2, Math.log(4.4)), row("native", true, 4, Math.log(4.0)));
        String md = SweepReport.markdown(rows);
        assertThat(md.split("\n")).containsExactly(
                "| policy | experts/token | Δ experts | ppl | Δppl % | nll | tokens |",
                "|---|---:|---:|---:|---:|---:|---:|",
                "| `topk:2` | 2.000 | -50.0% | 4.4000 | +10.00% | 1.48160 | 1000 |",
                "| `native` | 4.000 | +0.0% | 4.0000 | +0.00% | 1.38629 | 1000 |");
    }

    @Test
    void sweepPlotIsWellFormedWithOnePointPerRow() throws Exception {
        List<Row> rows = List.of(row("native", true, 4, 1.4), row("topk:2", false, 2, 1.5), row("topp:0.6 & more", false, 2.5, 1.41),
                row("random:4", false, 4, 3.0));
        String svg = SweepReport.svg(rows);
        List<Document> svgs = svgs(svg);
        assertThat(svgs).hasSize(1);
        assertThat(svgs.get(0).getElementsByTagName("circle").getLength()).isEqualTo(3);
        // random routing's perplexity is far off: a marker at the top edge instead of a point
        assertThat(svgs.get(0).getElementsByTagName("path").getLength()).isEqualTo(1);
        assertThat(svg).contains("4: random:4 (4.00, 20.086, off scale ▲)");
    }
}
