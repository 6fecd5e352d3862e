package io.moe4j.trace;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Reads a routing trace written by {@link TraceWriter}, one token at a time. */
public final class TraceReader implements AutoCloseable {
    private final DataInputStream in;
    private final TraceHeader header;
    private long tokens;

    public TraceReader(Path file) throws IOException {
        this(Files.newInputStream(file));
    }

    public TraceReader(InputStream in) throws IOException {
        this.in = new DataInputStream(new BufferedInputStream(in, 1 << 16));
        try {
            this.header = readHeader();
        } catch (EOFException e) {
            throw new IOException("not a moe4j routing trace: the header is cut short");
        }
    }

    public TraceHeader header() {
        return header;
    }

    private TraceHeader readHeader() throws IOException {
        byte[] magic = new byte[TraceWriter.MAGIC.length];
        in.readFully(magic);
        if (!Arrays.equals(magic, TraceWriter.MAGIC)) {
            throw new IOException("not a moe4j routing trace: bad magic");
        }
        int version = u16();
        if (version != TraceWriter.VERSION) {
            throw new IOException("routing trace version " + version + " is not supported (this build reads version " + TraceWriter.VERSION + ")");
        }
        int layers = u16();
        int experts = u16();
        int topK = u16();
        int idBytes = in.readUnsignedByte();
        in.readUnsignedByte();
        String model = string();
        String routing = string();
        TraceHeader h;
        try {
            h = new TraceHeader(version, layers, experts, topK, model, routing);
        } catch (IllegalArgumentException e) {
            throw new IOException("corrupt routing trace header: " + e.getMessage());
        }
        if (idBytes != h.idBytes()) {
            throw new IOException("corrupt routing trace header: " + idBytes + "-byte expert ids for " + experts + " experts");
        }
        return h;
    }

    /** The next token's routing, or null at the end of the trace. */
    public TokenRoute next() throws IOException {
        int position;
        try {
            position = Integer.reverseBytes(in.readInt());
        } catch (EOFException e) {
            return null;
        }
        try {
            List<LayerRoute> layers = new ArrayList<>(header.layerCount());
            for (int l = 0; l < header.layerCount(); l++) {
                int n = id();
                int[] experts = new int[n];
                for (int i = 0; i < n; i++) {
                    experts[i] = id();
                    if (experts[i] >= header.expertCount()) {
                        throw new IOException("corrupt routing trace: token " + tokens + " names expert " + experts[i]
                                + " of " + header.expertCount());
                    }
                }
                float[] weights = new float[n];
                for (int i = 0; i < n; i++) {
                    weights[i] = half();
                }
                layers.add(new LayerRoute(experts, weights, half()));
            }
            tokens++;
            return new TokenRoute(position, layers);
        } catch (EOFException e) {
            throw new IOException("routing trace is truncated in token " + tokens);
        }
    }

    private int id() throws IOException {
        return header.idBytes() == 1 ? in.readUnsignedByte() : u16();
    }

    private int u16() throws IOException {
        return Short.toUnsignedInt(Short.reverseBytes(in.readShort()));
    }

    private float half() throws IOException {
        return Float.float16ToFloat(Short.reverseBytes(in.readShort()));
    }

    private String string() throws IOException {
        byte[] bytes = new byte[u16()];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
