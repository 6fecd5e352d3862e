package io.moe4j.report;

/** Labelled vertical bars with their values written on top, and an optional dashed reference line. */
public final class BarChart {
    private static final int LEFT = 50;
    private static final int TOP = 36;
    private static final int PLOT_H = 180;
    private static final int BAR = 36;

    private final String title;
    private final String yAxis;
    private final String[] labels;
    private final double[] values;
    private final double reference;
    private final String referenceLabel;

    /** @param reference drawn as a dashed line when positive */
    public BarChart(String title, String yAxis, String[] labels, double[] values, double reference, String referenceLabel) {
        if (labels.length != values.length) {
            throw new IllegalArgumentException(values.length + " values but " + labels.length + " labels");
        }
        this.title = title;
        this.yAxis = yAxis;
        this.labels = labels.clone();
        this.values = values.clone();
        this.reference = reference;
        this.referenceLabel = referenceLabel;
    }

    public String svg() {
        double max = reference;
        for (double v : values) {
            max = Math.max(max, v);
        }
        double top = max > 0 ? max * 1.1 : 1;
        double[] ticks = Svg.ticks(0, top, 5);
        int width = LEFT + labels.length * (BAR + 14) + 160;
        int height = TOP + PLOT_H + 40;
        StringBuilder b = new StringBuilder();
        b.append(Svg.fmt("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" %s font-size=\"10\" role=\"img\">",
                width, height, width, height, Svg.FONT));
        b.append(Svg.fmt("<text x=\"4\" y=\"16\" font-size=\"13\" font-weight=\"bold\">%s</text>", Svg.escape(title)));
        b.append(Svg.fmt("<text transform=\"translate(12,%d) rotate(-90)\" text-anchor=\"middle\">%s</text>", TOP + PLOT_H / 2, Svg.escape(yAxis)));
        for (double t : ticks) {
            double y = TOP + PLOT_H - t / top * PLOT_H;
            b.append(Svg.fmt("<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>", LEFT, width - 150, y, y));
            b.append(Svg.fmt("<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>", LEFT - 4, y + 3, Svg.num(t)));
        }
        for (int i = 0; i < values.length; i++) {
            double h = values[i] / top * PLOT_H;
            int x = LEFT + 10 + i * (BAR + 14);
            b.append(Svg.fmt("<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\"><title>%s: %s</title></rect>",
                    x, TOP + PLOT_H - h, BAR, h, Svg.colour(0.7), Svg.escape(labels[i]), Svg.num(values[i])));
            b.append(Svg.fmt("<text x=\"%d\" y=\"%.1f\" text-anchor=\"middle\">%s</text>", x + BAR / 2, TOP + PLOT_H - h - 3, Svg.num(values[i])));
            b.append(Svg.fmt("<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>", x + BAR / 2, TOP + PLOT_H + 14, Svg.escape(labels[i])));
        }
        if (reference > 0) {
            double y = TOP + PLOT_H - reference / top * PLOT_H;
            b.append(Svg.fmt("<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#c0392b\" stroke-dasharray=\"5,3\"/>", LEFT, width - 150, y, y));
            b.append(Svg.fmt("<text x=\"%d\" y=\"%.1f\" fill=\"#c0392b\">%s</text>", width - 146, y + 3, Svg.escape(referenceLabel)));
        }
        b.append(Svg.fmt("<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#333\"/>", LEFT, width - 150, TOP + PLOT_H, TOP + PLOT_H));
        return b.append("</svg>").toString();
    }
}
