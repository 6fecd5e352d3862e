package io.moe4j.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A GGUF file (versions 2 and 3), memory-mapped with the FFM API so that files larger than 2 GB work and
 * tensor data is read lazily by the operating system. Everything read from the file is validated before
 * it is trusted; a bad file gives a {@link GgufException} naming the file and the problem.
 *
 * <p>Tensor data segments stay valid until {@link #close()}.
 */
public final class GgufFile implements AutoCloseable {
    public static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian int
    public static final int DEFAULT_ALIGNMENT = 32;
    public static final String ALIGNMENT_KEY = "general.alignment";
    /** ggml tensors have at most four dimensions. */
    public static final int MAX_DIMS = 4;

    private final Path path;
    private final Arena arena;
    private final MemorySegment file;
    private final int version;
    private final GgufMetadata metadata;
    private final List<GgufTensorInfo> tensors;
    private final Map<String, GgufTensorInfo> tensorsByName;
    private final int alignment;
    private final long dataOffset;

    private GgufFile(Path path, Arena arena, MemorySegment file) {
        this.path = path;
        this.arena = arena;
        this.file = file;
        HeaderParser.Header header = HeaderParser.parse(file, path);
        version = header.version();
        metadata = header.metadata();
        alignment = readAlignment(metadata);
        dataOffset = GgufFormat.alignUp(header.end(), alignment);
        tensors = Collections.unmodifiableList(header.tensors());
        tensorsByName = Collections.unmodifiableMap(indexByName(tensors));
        tensors.forEach(this::checkPlacement);
    }

    /** Opens and validates a GGUF file. The caller must close it. */
    public static GgufFile open(Path path) {
        if (Files.isDirectory(path)) {
            throw new GgufException(path + ": is a directory, not a GGUF file");
        }
        if (Files.exists(path) && !Files.isRegularFile(path)) {
            throw new GgufException(path + ": not a regular file"); // a pipe or device could block or never end
        }
        Arena arena = Arena.ofShared();
        try {
            MemorySegment segment;
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
                segment = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            }
            return new GgufFile(path, arena, segment);
        } catch (IOException e) {
            arena.close();
            throw GgufException.ofIo(path, "read", e);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    private int readAlignment(GgufMetadata md) {
        Optional<GgufValue> value = md.get(ALIGNMENT_KEY);
        if (value.isEmpty()) {
            return DEFAULT_ALIGNMENT;
        }
        GgufValue v = value.get();
        if (!v.type().isInteger()) {
            throw fail(ALIGNMENT_KEY + " is " + v.type() + ", expected an integer");
        }
        long a = (Long) v.value();
        if (!GgufFormat.isValidAlignment(a)) {
            throw fail(GgufFormat.alignmentProblem(a));
        }
        return (int) a;
    }

    private Map<String, GgufTensorInfo> indexByName(List<GgufTensorInfo> infos) {
        Map<String, GgufTensorInfo> byName = new HashMap<>();
        for (GgufTensorInfo t : infos) {
            if (byName.putIfAbsent(t.name(), t) != null) {
                throw fail("duplicate tensor name " + Names.quote(t.name()));
            }
        }
        return byName;
    }

    /** Checks that a tensor's data is aligned and lies inside the file. */
    private void checkPlacement(GgufTensorInfo t) {
        if (t.offset() % alignment != 0) {
            throw fail("tensor " + Names.quote(t.name()) + " has data offset " + t.offset() + ", not a multiple of the alignment " + alignment);
        }
        long dataBytes = file.byteSize() - dataOffset; // negative if the file ends inside the header padding
        long size = t.byteSize();
        if (t.offset() > dataBytes || size > dataBytes - t.offset()) {
            throw fail("tensor " + Names.quote(t.name()) + ": " + size + " bytes at data offset " + t.offset()
                    + " run past the end of the file, which has " + Math.max(0, dataBytes) + " bytes of tensor data (truncated or corrupt)");
        }
    }

    private GgufException fail(String message) {
        return new GgufException(path + ": " + message);
    }

    public Path path() {
        return path;
    }

    public int version() {
        return version;
    }

    public GgufMetadata metadata() {
        return metadata;
    }

    public List<GgufTensorInfo> tensors() {
        return tensors;
    }

    public Optional<GgufTensorInfo> findTensor(String name) {
        return Optional.ofNullable(tensorsByName.get(name));
    }

    public GgufTensorInfo tensor(String name) {
        GgufTensorInfo t = tensorsByName.get(name);
        if (t == null) {
            throw fail("missing tensor " + Names.quote(name));
        }
        return t;
    }

    public int alignment() {
        return alignment;
    }

    /** Absolute file offset of the tensor data section. */
    public long dataOffset() {
        return dataOffset;
    }

    /**
     * Reads the whole mapping into memory now (as llama.cpp's mmap with populate does), so that the first
     * token to touch each expert does not pay the page faults: with 64 experts per layer, a decode step
     * otherwise keeps meeting weights it has never read. Returns after every page is resident.
     */
    public void preload() {
        file.load();
    }

    public long fileSize() {
        return file.byteSize();
    }

    /** The bytes of one tensor, a read-only view of the mapped file. */
    public MemorySegment tensorData(GgufTensorInfo info) {
        return file.asSlice(dataOffset + info.offset(), info.byteSize()).asReadOnly();
    }

    public MemorySegment tensorData(String name) {
        return tensorData(tensor(name));
    }

    @Override
    public void close() {
        arena.close();
    }
}
