package io.moe4j.trace;

import io.moe4j.route.ExpertSelection;
import io.moe4j.route.Gating;
import io.moe4j.route.RoutingListener;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Streams a routing trace (format: docs/trace-format.md) as the model routes. The model calls listeners
 * layer by layer for a whole batch, while the format is token by token, so one batch's routing is held
 * until its last layer arrives and then written out: memory stays one batch, and nothing is written
 * that a reader could not use.
 */
public final class TraceWriter implements RoutingListener, AutoCloseable {
    public static final byte[] MAGIC = "MOE4JTRC".getBytes(StandardCharsets.US_ASCII);
    public static final int VERSION = 1;

    private final TraceHeader header;
    private final Gating gating;
    private final OutputStream out;
    private final ExpertSelection[][] batch;
    private final float[][] entropies;
    private int[] positions;
    private int nextLayer;
    private long tokens;

    public TraceWriter(Path file, Gating gating, int layerCount, String model, String routing) throws IOException {
        this(Files.newOutputStream(file), gating, layerCount, model, routing);
    }

    /** Writes the header at once; {@code out} is closed with this writer. */
    public TraceWriter(OutputStream out, Gating gating, int layerCount, String model, String routing) throws IOException {
        this.header = new TraceHeader(VERSION, layerCount, gating.expertCount(), gating.expertsPerToken(), model, routing);
        this.gating = gating;
        this.out = new BufferedOutputStream(out, 1 << 16);
        this.batch = new ExpertSelection[layerCount][];
        this.entropies = new float[layerCount][];
        writeHeader();
    }

    public TraceHeader header() {
        return header;
    }

    /** Tokens written so far. */
    public long tokens() {
        return tokens;
    }

    private void writeHeader() throws IOException {
        byte[] model = utf8(header.model());
        byte[] routing = utf8(header.routing());
        ByteBuffer b = ByteBuffer.allocate(8 + 2 * 4 + 2 + 2 + model.length + 2 + routing.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putShort((short) VERSION).putShort((short) header.layerCount()).putShort((short) header.expertCount())
                .putShort((short) header.nativeTopK()).put((byte) header.idBytes()).put((byte) 0)
                .putShort((short) model.length).put(model).putShort((short) routing.length).put(routing);
        out.write(b.array());
    }

    private static byte[] utf8(String s) {
        byte[] bytes = (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
        if (bytes.length > 0xFFFF) {
            throw new IllegalArgumentException("trace header string longer than 65535 bytes");
        }
        return bytes;
    }

    @Override
    public void onRouting(int layer, int[] positions, float[][] logits, ExpertSelection[] selections) {
        if (layer != nextLayer || (layer > 0 && selections.length != batch[0].length)) {
            throw new IllegalStateException("trace expects layers 0.." + (header.layerCount() - 1) + " in order for each batch, got layer "
                    + layer + " after " + (nextLayer - 1));
        }
        if (layer == 0) {
            this.positions = positions.clone();
        }
        batch[layer] = selections;
        entropies[layer] = entropies(logits);
        nextLayer = layer + 1;
        if (nextLayer == header.layerCount()) {
            writeBatch();
            nextLayer = 0;
        }
    }

    private float[] entropies(float[][] logits) {
        float[] out = new float[logits.length];
        float[] probs = new float[gating.expertCount()];
        for (int t = 0; t < logits.length; t++) {
            gating.probabilities(logits[t], probs);
            out[t] = (float) entropy(probs);
        }
        return out;
    }

    /** Entropy in nats of the probabilities scaled to sum to one (sigmoid gates do not). */
    static double entropy(float[] probs) {
        double sum = 0;
        for (float p : probs) {
            sum += p;
        }
        double h = 0;
        for (float p : probs) {
            if (p > 0) {
                double q = p / sum;
                h -= q * Math.log(q);
            }
        }
        return h;
    }

    private void writeBatch() {
        int ids = header.idBytes();
        int size = 0;
        for (int t = 0; t < positions.length; t++) {
            size += 4;
            for (ExpertSelection[] layer : batch) {
                size += ids + layer[t].count() * (ids + 2) + 2;
            }
        }
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        for (int t = 0; t < positions.length; t++) {
            b.putInt(positions[t]);
            for (int l = 0; l < batch.length; l++) {
                ExpertSelection s = batch[l][t];
                putId(b, s.count(), ids);
                for (int i = 0; i < s.count(); i++) {
                    putId(b, s.expert(i), ids);
                }
                for (int i = 0; i < s.count(); i++) {
                    b.putShort(Float.floatToFloat16(s.weight(i)));
                }
                b.putShort(Float.floatToFloat16(entropies[l][t]));
            }
        }
        try {
            out.write(b.array());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the routing trace: " + e.getMessage(), e);
        }
        tokens += positions.length;
    }

    private static void putId(ByteBuffer b, int v, int bytes) {
        if (bytes == 1) {
            b.put((byte) v);
        } else {
            b.putShort((short) v);
        }
    }

    /** Fails if a batch stopped part-way through the layers: its tokens would be missing from the trace. */
    @Override
    public void close() throws IOException {
        out.close();
        if (nextLayer != 0) {
            throw new IllegalStateException("trace closed in the middle of a batch (after layer " + (nextLayer - 1) + ")");
        }
    }
}
