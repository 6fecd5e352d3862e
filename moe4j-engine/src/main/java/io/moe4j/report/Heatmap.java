package io.moe4j.report;

/**
 * A matrix as an SVG heatmap: labelled rows and columns, one hover tooltip per cell (an SVG
 * {@code <title>}, so no script is needed), and a colour legend from 0 to the largest value.
 */
public final class Heatmap {
    private static final int DEFAULT_CELL = 14;
    private static final int LEFT = 70;
    private static final int TOP = 44;
    private static final int LEGEND = 70;

    private final String title;
    private final String rowAxis;
    private final String columnAxis;
    private final String[] rowLabels;
    private final String[] columnLabels;
    private final double[][] values;
    private final int cell;

    /** @param values row-major, every row as long as {@code columnLabels} */
    public Heatmap(String title, String rowAxis, String columnAxis, String[] rowLabels, String[] columnLabels, double[][] values) {
        this(title, rowAxis, columnAxis, rowLabels, columnLabels, values, DEFAULT_CELL);
    }

    /** @param cell side of a cell in pixels */
    public Heatmap(String title, String rowAxis, String columnAxis, String[] rowLabels, String[] columnLabels, double[][] values, int cell) {
        if (values.length != rowLabels.length) {
            throw new IllegalArgumentException(values.length + " rows but " + rowLabels.length + " row labels");
        }
        for (double[] row : values) {
            if (row.length != columnLabels.length) {
                throw new IllegalArgumentException(row.length + " columns but " + columnLabels.length + " column labels");
            }
        }
        this.title = title;
        this.rowAxis = rowAxis;
        this.columnAxis = columnAxis;
        this.rowLabels = rowLabels.clone();
        this.columnLabels = columnLabels.clone();
        this.values = values;
        this.cell = cell;
    }

    /** Labels 0..n-1, for experts and layers. */
    public static String[] indices(int n) {
        String[] out = new String[n];
        for (int i = 0; i < n; i++) {
            out[i] = Integer.toString(i);
        }
        return out;
    }

    /** @param id unique within the page (names the legend's gradient) */
    public String svg(String id) {
        int rows = rowLabels.length;
        int cols = columnLabels.length;
        double max = 0;
        for (double[] row : values) {
            for (double v : row) {
                max = Math.max(max, v);
            }
        }
        int gridW = cols * cell;
        int gridH = rows * cell;
        int width = LEFT + gridW + LEGEND;
        int height = TOP + gridH + 40;
        StringBuilder b = new StringBuilder();
        b.append(Svg.fmt("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" %s font-size=\"10\" role=\"img\">",
                width, height, width, height, Svg.FONT));
        b.append(Svg.gradient(id + "-scale"));
        b.append(Svg.fmt("<text x=\"%d\" y=\"16\" font-size=\"13\" font-weight=\"bold\">%s</text>", 4, Svg.escape(title)));
        b.append(Svg.fmt("<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s →</text>", LEFT + gridW / 2, TOP - 22, Svg.escape(columnAxis)));
        b.append(Svg.fmt("<text transform=\"translate(12,%d) rotate(-90)\" text-anchor=\"middle\">%s →</text>", TOP + gridH / 2, Svg.escape(rowAxis)));
        int every = (int) Math.ceil(16.0 / cell); // keep column labels about 16 px apart
        for (int c = 0; c < cols; c += every) {
            b.append(Svg.fmt("<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"8\">%s</text>",
                    LEFT + c * cell + cell / 2, TOP - 4, Svg.escape(columnLabels[c])));
        }
        for (int r = 0; r < rows; r++) {
            b.append(Svg.fmt("<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"8\">%s</text>",
                    LEFT - 4, TOP + r * cell + cell / 2 + 3, Svg.escape(rowLabels[r])));
            for (int c = 0; c < cols; c++) {
                double v = values[r][c];
                b.append(Svg.fmt("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"><title>%s %s, %s %s: %s</title></rect>",
                        LEFT + c * cell, TOP + r * cell, cell, cell, Svg.colour(max > 0 ? v / max : 0),
                        Svg.escape(rowAxis), Svg.escape(rowLabels[r]), Svg.escape(columnAxis), Svg.escape(columnLabels[c]), percent(v)));
            }
        }
        b.append(Svg.fmt("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#888\"/>", LEFT, TOP, gridW, gridH));
        int lx = LEFT + gridW + 14;
        b.append(Svg.fmt("<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"%d\" fill=\"url(#%s-scale)\" stroke=\"#888\"/>", lx, TOP, gridH, id));
        b.append(Svg.fmt("<text x=\"%d\" y=\"%d\">%s</text>", lx + 16, TOP + 8, percent(max)));
        b.append(Svg.fmt("<text x=\"%d\" y=\"%d\">0%%</text>", lx + 16, TOP + gridH));
        return b.append("</svg>").toString();
    }

    private static String percent(double v) {
        return Svg.fmt(v >= 0.1 ? "%.0f%%" : "%.1f%%", v * 100);
    }
}
