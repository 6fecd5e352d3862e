package io.moe4j.trace;

import java.io.IOException;
import java.io.Writer;

/**
 * Exports a trace as JSON Lines: a header object, then one object per token (see docs/trace-format.md).
 * Written by hand because the engine has no JSON dependency, and the shapes are fixed and flat.
 */
public final class TraceJsonl {
    private TraceJsonl() {
    }

    /** @return the number of tokens exported */
    public static long export(TraceReader reader, Writer out) throws IOException {
        TraceHeader h = reader.header();
        out.write("{\"format\":\"moe4j-trace\",\"version\":" + h.version() + ",\"model\":" + quote(h.model())
                + ",\"routing\":" + quote(h.routing()) + ",\"layers\":" + h.layerCount() + ",\"experts\":" + h.expertCount()
                + ",\"top_k\":" + h.nativeTopK() + "}\n");
        long token = 0;
        StringBuilder line = new StringBuilder(256);
        for (TokenRoute r = reader.next(); r != null; r = reader.next()) {
            line.setLength(0);
            line.append("{\"token\":").append(token++).append(",\"position\":").append(r.position()).append(",\"layers\":[");
            for (int l = 0; l < r.layers().size(); l++) {
                LayerRoute lr = r.layer(l);
                line.append(l == 0 ? "" : ",").append("{\"experts\":[");
                for (int i = 0; i < lr.count(); i++) {
                    line.append(i == 0 ? "" : ",").append(lr.experts()[i]);
                }
                line.append("],\"weights\":[");
                for (int i = 0; i < lr.count(); i++) {
                    line.append(i == 0 ? "" : ",").append(lr.weights()[i]);
                }
                line.append("],\"entropy\":").append(lr.entropy()).append('}');
            }
            out.write(line.append("]}\n").toString());
        }
        return token;
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
