package io.moe4j.model.synth;

import io.moe4j.gguf.GgmlType;
import io.moe4j.gguf.GgufWriter;
import io.moe4j.tensor.BlockFormats;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Writes a {@link SyntheticModel} as a GGUF file, streaming: each tensor is made and written a chunk at a
 * time, so memory use stays at a chunk's buffers (plus one {@link BlockPool} per quantized type) however
 * large the model. Float tensors (F32, F16, BF16) are drawn and converted value by value; quantized ones
 * are assembled from a pool of quantized random blocks. A chunk's random stream is named by (seed, tensor
 * index, chunk index), so the same seed always gives the same file, byte for byte.
 */
public final class SyntheticModelWriter {
    /** Values per chunk: 4 MiB of floats, a whole number of blocks of every type (256 is the largest block). */
    static final int CHUNK_VALUES = 1 << 20;

    /** Where the writing stands, reported after every chunk. */
    public record Progress(int tensorIndex, int tensorCount, String tensorName, long bytesWritten, long totalBytes) {
    }

    private final SyntheticModel model;
    private final Consumer<Progress> listener;
    private final long totalBytes;
    private final float[] values = new float[CHUNK_VALUES];
    private final byte[] encoded;
    private final MemorySegment encodedSegment;
    private final Map<GgmlType, BlockPool> pools = new EnumMap<>(GgmlType.class);
    private long bytesWritten;

    private SyntheticModelWriter(SyntheticModel model, Consumer<Progress> listener) {
        this.model = model;
        this.listener = listener;
        this.totalBytes = model.dataBytes();
        long largestChunk = model.tensors().stream().mapToLong(t -> t.type().byteSize(Math.min(CHUNK_VALUES, t.elementCount())))
                .max().orElse(0);
        this.encoded = new byte[Math.toIntExact(largestChunk)];
        this.encodedSegment = MemorySegment.ofArray(encoded);
    }

    /**
     * Writes {@code model} to {@code file} (through a {@code .part} file renamed at the end, see
     * {@link GgufWriter#write}), calling {@code listener} after every chunk.
     *
     * @throws io.moe4j.gguf.GgufException if the file cannot be written
     */
    public static void write(SyntheticModel model, Path file, Consumer<Progress> listener) {
        new SyntheticModelWriter(model, listener).gguf().write(file);
    }

    /** Writes {@code model} to a stream, as {@link #write(SyntheticModel, Path, Consumer)} writes a file; returns the bytes written. */
    public static long writeTo(SyntheticModel model, OutputStream out, Consumer<Progress> listener) throws IOException {
        return new SyntheticModelWriter(model, listener).gguf().writeTo(out);
    }

    private GgufWriter gguf() {
        GgufWriter w = new GgufWriter();
        model.metadata().forEach(w::putMetadata);
        List<SyntheticTensor> tensors = model.tensors();
        for (int i = 0; i < tensors.size(); i++) {
            SyntheticTensor t = tensors.get(i);
            int index = i;
            w.addTensor(t.name(), t.shape(), t.type(), out -> writeTensor(out, t, index));
        }
        return w;
    }

    private void writeTensor(OutputStream out, SyntheticTensor t, int index) throws IOException {
        GgmlType type = t.type();
        long total = t.elementCount();
        long chunkIndex = 0;
        for (long done = 0; done < total; done += CHUNK_VALUES, chunkIndex++) {
            int count = (int) Math.min(CHUNK_VALUES, total - done);
            RandomWeights random = new RandomWeights(model.seed(), index, chunkIndex);
            if (t.values() == SyntheticTensor.Values.ONES) {
                Arrays.fill(values, 0, count, 1f);
                BlockFormats.quantizer(type).quantize(values, 0, count, encodedSegment, 0);
            } else if (type.isQuantized()) {
                pool(type).sample(random, encoded, count / type.blockSize());
            } else {
                random.fill(values, count, SyntheticModel.WEIGHT_STD);
                BlockFormats.quantizer(type).quantize(values, 0, count, encodedSegment, 0);
            }
            int bytes = (int) type.byteSize(count);
            out.write(encoded, 0, bytes);
            bytesWritten += bytes;
            listener.accept(new Progress(index, model.tensors().size(), t.name(), bytesWritten, totalBytes));
        }
    }

    private BlockPool pool(GgmlType type) {
        return pools.computeIfAbsent(type, ty -> new BlockPool(ty, model.seed()));
    }
}
