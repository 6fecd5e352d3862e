package io.moe4j.report;

import io.moe4j.generate.RoutingSweep.Row;

import java.util.List;

/**
 * The cost/quality trade-off of a routing sweep: a Markdown table, and an SVG plot of perplexity against
 * experts evaluated per token. Differences are against the native row; the plot shades the target
 * region (at least 25% fewer experts than native, at most 1% more perplexity).
 */
public final class SweepReport {
    private static final int LEFT = 70;
    private static final int TOP = 40;
    private static final int W = 560;
    private static final int H = 360;
    private static final double OFF_SCALE = 1.5;

    private SweepReport() {
    }

    /** The row everything is compared with: the native one, else the first. */
    public static Row baseline(List<Row> rows) {
        return rows.stream().filter(Row::nativeRouting).findFirst().orElse(rows.getFirst());
    }

    public static String markdown(List<Row> rows) {
        Row base = baseline(rows);
        StringBuilder b = new StringBuilder();
        b.append("| policy | experts/token | Δ experts | ppl | Δppl % | nll | tokens |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            b.append(Svg.fmt("| `%s` | %.3f | %+.1f%% | %.4f | %+.2f%% | %.5f | %d |%n", r.policy(), r.expertsPerToken(),
                    (r.expertsPerToken() / base.expertsPerToken() - 1) * 100, r.result().perplexity(), r.deltaPercent(base),
                    r.result().meanNll(), r.result().predictions()));
        }
        return b.toString();
    }

    public static String svg(List<Row> rows) {
        Row base = baseline(rows);
        double maxX = 0;
        double minY = Double.POSITIVE_INFINITY;
        double maxY = 0;
        double basePpl = base.result().perplexity();
        for (Row r : rows) {
            maxX = Math.max(maxX, r.expertsPerToken());
            minY = Math.min(minY, r.result().perplexity());
            // an ablation far off (random routing) would squash everything else into one line: it is drawn at the top edge
            if (r.result().perplexity() <= basePpl * OFF_SCALE) {
                maxY = Math.max(maxY, r.result().perplexity());
            }
        }
        maxY = Math.max(maxY, basePpl * 1.01);
        double pad = Math.max((maxY - minY) * 0.08, basePpl * 0.005);
        double[] xt = Svg.ticks(0, maxX * 1.1, 6);
        double[] yt = Svg.ticks(minY - pad, maxY + pad, 6);
        double x0 = 0;
        double x1 = Math.max(xt[xt.length - 1], maxX * 1.08);
        double y0 = Math.min(yt[0], minY - pad);
        double y1 = Math.max(yt[yt.length - 1], maxY + pad);
        Plot p = new Plot(x0, x1, y0, y1);
        int width = LEFT + W + 330;
        int height = TOP + H + 50;
        StringBuilder b = new StringBuilder();
        b.append(Svg.fmt("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" %s font-size=\"11\">",
                width, height, width, height, Svg.FONT));
        b.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>");
        b.append(Svg.fmt("<text x=\"4\" y=\"18\" font-size=\"14\" font-weight=\"bold\">Perplexity against experts evaluated per token</text>"));
        double goalX = base.expertsPerToken() * 0.75;
        double goalY = basePpl * 1.01;
        b.append(Svg.fmt("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#e8f5e9\"><title>target: ≥25%% fewer experts, ≤1%% more perplexity</title></rect>",
                p.x(x0), p.y(goalY), p.x(goalX) - p.x(x0), p.y(y0) - p.y(goalY)));
        b.append(Svg.fmt("<text x=\"%.1f\" y=\"%.1f\" fill=\"#2e7d32\">target region</text>", p.x(x0) + 4, p.y(goalY) + 12));
        for (double t : xt) {
            b.append(Svg.fmt("<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#eee\"/>", p.x(t), p.x(t), TOP, TOP + H));
            b.append(Svg.fmt("<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>", p.x(t), TOP + H + 14, Svg.num(t)));
        }
        for (double t : yt) {
            if (t >= y0 && t <= y1) {
                b.append(Svg.fmt("<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>", LEFT, LEFT + W, p.y(t), p.y(t)));
                b.append(Svg.fmt("<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>", LEFT - 4, p.y(t) + 4, Svg.num(t)));
            }
        }
        b.append(Svg.fmt("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#333\"/>", LEFT, TOP, W, H));
        b.append(Svg.fmt("<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">experts evaluated per token per layer</text>", LEFT + W / 2, TOP + H + 34));
        b.append(Svg.fmt("<text transform=\"translate(16,%d) rotate(-90)\" text-anchor=\"middle\">perplexity</text>", TOP + H / 2));
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            double px = p.x(r.expertsPerToken());
            boolean off = r.result().perplexity() > y1;
            double py = off ? TOP + 6 : p.y(r.result().perplexity());
            String colour = r == base ? "#c0392b" : Svg.colour(0.8);
            String tip = Svg.fmt("<title>%s: %.3f experts/token, ppl %.4f (%+.2f%%)</title>", Svg.escape(r.policy()), r.expertsPerToken(),
                    r.result().perplexity(), r.deltaPercent(base));
            if (off) {
                b.append(Svg.fmt("<path d=\"M%.1f %.1f l-5 8 h10 z\" fill=\"%s\">%s</path>", px, py - 5, colour, tip));
            } else {
                b.append(Svg.fmt("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4.5\" fill=\"%s\">%s</circle>", px, py, colour, tip));
            }
            b.append(Svg.fmt("<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\">%d</text>", px + 6, off ? py + 10 : py - 5, i + 1));
            b.append(Svg.fmt("<text x=\"%d\" y=\"%d\" font-size=\"10\">%d: %s (%.2f, %.3f%s)</text>", LEFT + W + 12, TOP + 10 + i * 14, i + 1,
                    Svg.escape(shorten(r.policy())), r.expertsPerToken(), r.result().perplexity(), off ? ", off scale ▲" : ""));
        }
        return b.append("</svg>\n").toString();
    }

    private static String shorten(String s) {
        return s.length() > 34 ? s.substring(0, 33) + "…" : s;
    }

    private record Plot(double x0, double x1, double y0, double y1) {
        double x(double v) {
            return LEFT + (v - x0) / (x1 - x0) * W;
        }

        double y(double v) {
            return TOP + H - (v - y0) / (y1 - y0) * H;
        }
    }
}
