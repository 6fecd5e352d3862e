package io.moe4j.report;

import java.util.Locale;

/** Small helpers for hand-written SVG: escaping, number formatting, a colour scale, axis ticks. */
final class Svg {
    /** A sequential scale from almost white (nothing) to dark blue (the most), readable in print. */
    private static final int[][] STOPS = {{0xf7, 0xfb, 0xff}, {0xc6, 0xdb, 0xef}, {0x6b, 0xae, 0xd6}, {0x21, 0x71, 0xb5}, {0x08, 0x30, 0x6b}};
    static final String FONT = "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\"";

    private Svg() {
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    static String num(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    static String fmt(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }

    /** Colour of {@code t} in [0, 1] (clamped). */
    static String colour(double t) {
        double x = Math.max(0, Math.min(1, Double.isNaN(t) ? 0 : t)) * (STOPS.length - 1);
        int i = Math.min((int) x, STOPS.length - 2);
        double f = x - i;
        int[] rgb = new int[3];
        for (int c = 0; c < 3; c++) {
            rgb[c] = (int) Math.round(STOPS[i][c] + f * (STOPS[i + 1][c] - STOPS[i][c]));
        }
        return fmt("#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
    }

    /** A vertical gradient with the colour scale, for legends. */
    static String gradient(String id) {
        StringBuilder b = new StringBuilder("<defs><linearGradient id=\"").append(id).append("\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">");
        for (int i = 0; i < STOPS.length; i++) {
            double t = (double) i / (STOPS.length - 1);
            b.append(fmt("<stop offset=\"%.2f\" stop-color=\"%s\"/>", t, colour(t)));
        }
        return b.append("</linearGradient></defs>").toString();
    }

    /** About {@code count} round tick values covering [lo, hi]. */
    static double[] ticks(double lo, double hi, int count) {
        double span = hi - lo;
        if (!(span > 0)) {
            return new double[] {lo};
        }
        double raw = span / count;
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = mag * (raw / mag < 1.5 ? 1 : raw / mag < 3 ? 2 : raw / mag < 7 ? 5 : 10);
        double first = Math.ceil(lo / step - 1e-9) * step;
        int n = (int) Math.floor((hi - first) / step + 1e-9) + 1;
        double[] out = new double[Math.max(n, 1)];
        for (int i = 0; i < out.length; i++) {
            out[i] = first + i * step;
        }
        return out;
    }
}
