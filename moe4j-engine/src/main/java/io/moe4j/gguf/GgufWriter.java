package io.moe4j.gguf;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.SequencedMap;

/**
 * Writes GGUF version 3 files. Metadata and tensor descriptions are collected first; tensor bytes are pulled
 * from each tensor's {@link TensorData} in declaration order while the file is written, so that synthetic
 * models of many gigabytes are generated as they are written and never held in memory.
 *
 * <p>Everything is validated when it is added, by the rules {@link GgufFile} reads with, so that a file this
 * class writes can always be opened again: integer values must fit their type, tensor shapes must suit their
 * type's block size, given tensor bytes must have the size the shape and type imply, and names must be unique.
 * Metadata keeps insertion order (putting a key again replaces its value in place). Tensors are laid out in
 * declaration order, each padded to {@code general.alignment} (32 unless put as a UINT32), as llama.cpp does.
 */
public final class GgufWriter {
    private static final int FILE_BUFFER_BYTES = 1 << 20;

    private final SequencedMap<String, byte[]> metadata = new LinkedHashMap<>();
    private final SequencedMap<String, PendingTensor> tensors = new LinkedHashMap<>();
    private int alignment = GgufFile.DEFAULT_ALIGNMENT;

    private record PendingTensor(String name, long[] shape, GgmlType type, long byteSize, TensorData data) {
    }

    /**
     * Adds a metadata entry, or replaces the value of an existing key keeping its position.
     *
     * @throws IllegalArgumentException if the value cannot be stored (an integer outside its type, a null
     *     array element, arrays nested too deep) or {@code general.alignment} is not a UINT32 power of two
     */
    public GgufWriter putMetadata(String key, GgufValue value) {
        byte[] entry = MetadataEncoder.encode(key, value);
        if (key.equals(GgufFile.ALIGNMENT_KEY)) {
            alignment = checkedAlignment(value);
        }
        metadata.put(key, entry);
        return this;
    }

    /** Puts every entry of {@code source}, in its order; copying a file's metadata this way keeps it intact. */
    public GgufWriter putAllMetadata(GgufMetadata source) {
        source.asMap().forEach(this::putMetadata);
        return this;
    }

    private static int checkedAlignment(GgufValue value) {
        if (value.type() != GgufValueType.UINT32) {
            throw new IllegalArgumentException(GgufFile.ALIGNMENT_KEY + " must be a UINT32 (llama.cpp reads it as one), not " + value.type());
        }
        long a = (Long) value.value();
        if (!GgufFormat.isValidAlignment(a)) {
            throw new IllegalArgumentException(GgufFormat.alignmentProblem(a));
        }
        return (int) a;
    }

    /**
     * Declares a tensor whose bytes {@code data} writes when the file is written. {@code shape} is in ggml
     * order (innermost dimension first).
     *
     * @throws IllegalArgumentException for a bad or duplicate name, or a shape the type cannot have
     */
    public GgufWriter addTensor(String name, long[] shape, GgmlType type, TensorData data) {
        return add(describe(name, shape, type, data));
    }

    /** Adds a tensor held in memory; {@code data} must have exactly the size the shape and type imply. */
    public GgufWriter addTensor(String name, long[] shape, GgmlType type, byte[] data) {
        PendingTensor t = describe(name, shape, type, TensorData.of(data));
        requireSize(t, data.length);
        return add(t);
    }

    /** Adds a tensor from a memory segment, read when the file is written; sizes must match as for byte[]. */
    public GgufWriter addTensor(String name, long[] shape, GgmlType type, MemorySegment data) {
        PendingTensor t = describe(name, shape, type, TensorData.of(data));
        requireSize(t, data.byteSize());
        return add(t);
    }

    private static PendingTensor describe(String name, long[] shape, GgmlType type, TensorData data) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(data, "data");
        long[] dims = shape.clone();
        if (name.isEmpty()) {
            throw new IllegalArgumentException("empty tensor name");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > GgufFormat.MAX_TENSOR_NAME_BYTES) {
            throw new IllegalArgumentException("tensor name " + Names.quote(name) + " is longer than "
                    + GgufFormat.MAX_TENSOR_NAME_BYTES + " bytes of UTF-8, which llama.cpp cannot load");
        }
        String problem = GgufFormat.shapeProblem(dims, type);
        if (problem != null) {
            throw new IllegalArgumentException("tensor " + Names.quote(name) + " of type " + type + " " + problem);
        }
        long elements = Arrays.stream(dims).reduce(1, Math::multiplyExact);
        return new PendingTensor(name, dims, type, type.byteSize(elements), data);
    }

    private static void requireSize(PendingTensor t, long givenBytes) {
        if (givenBytes != t.byteSize()) {
            throw new IllegalArgumentException("tensor " + Names.quote(t.name()) + " (" + t.type() + " " + Arrays.toString(t.shape())
                    + ") takes " + t.byteSize() + " bytes, but " + givenBytes + " were given");
        }
    }

    private GgufWriter add(PendingTensor t) {
        if (tensors.putIfAbsent(t.name(), t) != null) {
            throw new IllegalArgumentException("duplicate tensor name " + Names.quote(t.name()));
        }
        return this;
    }

    /** The alignment the file will use. */
    public int alignment() {
        return alignment;
    }

    /** The tensors as the file will describe them, with their offsets in the data section. */
    public List<GgufTensorInfo> tensors() {
        List<GgufTensorInfo> infos = new ArrayList<>(tensors.size());
        long offset = 0;
        for (PendingTensor t : tensors.values()) {
            infos.add(new GgufTensorInfo(t.name(), t.shape(), t.type(), offset));
            offset = GgufFormat.alignUp(offset + t.byteSize(), alignment);
        }
        return infos;
    }

    /**
     * Writes the file. It is written next to {@code file} under a {@code .part} name and renamed once complete,
     * so that a failed write never leaves a truncated file under the real name.
     *
     * @throws GgufException if the file cannot be written or a tensor's data source writes the wrong byte count
     */
    public void write(Path file) {
        Path part = file.resolveSibling(file.getFileName() + ".part");
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(part), FILE_BUFFER_BYTES)) {
                writeTo(out, file.toString());
            }
            Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            deleteIfExists(part, e);
            throw GgufException.ofIo(file, "write", e);
        } catch (RuntimeException | Error e) {
            deleteIfExists(part, e);
            throw e;
        }
    }

    /** Writes the file to a stream (which is flushed, not closed) and returns the number of bytes written. */
    public long writeTo(OutputStream out) throws IOException {
        return writeTo(out, "GGUF output stream");
    }

    private long writeTo(OutputStream out, String target) throws IOException {
        List<GgufTensorInfo> layout = tensors();
        ByteSink header = header(layout);
        header.writeTo(out);
        long written = header.size();
        for (PendingTensor t : tensors.values()) {
            TensorStream stream = new TensorStream(out, t, target);
            t.data().writeTo(stream);
            stream.requireComplete();
            int padding = (int) (GgufFormat.alignUp(t.byteSize(), alignment) - t.byteSize());
            out.write(new byte[padding]);
            written += t.byteSize() + padding;
        }
        out.flush();
        return written;
    }

    private ByteSink header(List<GgufTensorInfo> layout) {
        ByteSink h = new ByteSink()
                .u32(GgufFile.MAGIC)
                .u32(GgufFormat.WRITTEN_VERSION)
                .u64(layout.size())
                .u64(metadata.size());
        metadata.values().forEach(h::bytes);
        for (GgufTensorInfo t : layout) {
            h.string(t.name()).u32(t.rank());
            for (long d : t.shape()) {
                h.u64(d);
            }
            h.u32(t.type().id()).u64(t.offset());
        }
        return h.padTo(alignment);
    }

    private static void deleteIfExists(Path part, Throwable failure) {
        try {
            Files.deleteIfExists(part);
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    /** Passes one tensor's bytes through, refusing more than the tensor's size so that no tensor overruns the next. */
    private static final class TensorStream extends OutputStream {
        private final OutputStream out;
        private final PendingTensor tensor;
        private final String target;
        private long written;

        TensorStream(OutputStream out, PendingTensor tensor, String target) {
            this.out = out;
            this.tensor = tensor;
            this.target = target;
        }

        @Override
        public void write(int b) throws IOException {
            count(1);
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            count(len);
            out.write(b, off, len);
        }

        private void count(int n) {
            if (n > tensor.byteSize() - written) {
                throw wrongSize("more than");
            }
            written += n;
        }

        void requireComplete() {
            if (written != tensor.byteSize()) {
                throw wrongSize(written + " of");
            }
        }

        private GgufException wrongSize(String amount) {
            return new GgufException(target + ": the data of tensor " + Names.quote(tensor.name()) + " (" + tensor.type() + " "
                    + Arrays.toString(tensor.shape()) + ") came to " + amount + " its " + tensor.byteSize() + " bytes");
        }

        @Override
        public void close() {
            // the writer owns the underlying stream
        }
    }
}
