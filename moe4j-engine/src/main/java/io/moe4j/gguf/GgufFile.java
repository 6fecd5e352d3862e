package io.moe4j.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
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

    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

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
        Cursor in = new Cursor();
        int magic = in.u32("magic");
        if (magic != MAGIC) {
            throw fail(String.format("not a GGUF file (magic 0x%08x, expected 0x%08x \"GGUF\")", magic, MAGIC));
        }
        version = in.u32("version");
        if (version != 2 && version != 3) {
            throw fail("unsupported GGUF version " + Integer.toUnsignedString(version) + " (supported: 2, 3)");
        }
        long tensorCount = in.u64("tensor count");
        long kvCount = in.u64("metadata count");
        // Every tensor info takes at least 8+4+8+4+8 bytes, every key/value at least 8+4+1: counts beyond
        // what the file could hold are rejected before anything is allocated for them.
        if (tensorCount < 0 || tensorCount > in.remaining() / 32) {
            throw fail("tensor count " + Long.toUnsignedString(tensorCount) + " is impossible for a file of " + file.byteSize() + " bytes");
        }
        if (kvCount < 0 || kvCount > in.remaining() / 13) {
            throw fail("metadata count " + Long.toUnsignedString(kvCount) + " is impossible for a file of " + file.byteSize() + " bytes");
        }
        Map<String, GgufValue> kv = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            String key = in.string("metadata key #" + i);
            int typeId = in.u32("type of '" + key + "'");
            GgufValueType type = GgufValueType.byId(typeId);
            if (type == null) {
                throw fail("metadata key '" + key + "' has unknown value type " + Integer.toUnsignedString(typeId));
            }
            GgufValue value = in.value(type, key, 0);
            if (kv.put(key, value) != null) {
                throw fail("duplicate metadata key '" + key + "'");
            }
        }
        metadata = new GgufMetadata(kv);
        alignment = readAlignment(metadata);

        List<GgufTensorInfo> infos = new ArrayList<>((int) tensorCount);
        Map<String, GgufTensorInfo> byName = new HashMap<>();
        for (long i = 0; i < tensorCount; i++) {
            GgufTensorInfo info = in.tensorInfo(i);
            if (byName.put(info.name(), info) != null) {
                throw fail("duplicate tensor name '" + info.name() + "'");
            }
            infos.add(info);
        }
        long afterHeader = in.position();
        dataOffset = alignUp(afterHeader, alignment);
        long dataSize = file.byteSize() - dataOffset;
        for (GgufTensorInfo t : infos) {
            if (t.offset() % alignment != 0) {
                throw fail("tensor '" + t.name() + "' offset " + t.offset() + " is not a multiple of the alignment " + alignment);
            }
            long size = t.byteSize();
            if (dataSize < 0 || t.offset() > dataSize || size > dataSize - t.offset()) {
                throw fail("tensor '" + t.name() + "' (" + size + " bytes at data offset " + t.offset()
                        + ") lies past the end of the file (" + Math.max(0, dataSize) + " bytes of tensor data)");
            }
        }
        tensors = Collections.unmodifiableList(infos);
        tensorsByName = Collections.unmodifiableMap(byName);
    }

    /** Opens and validates a GGUF file. The caller must close it. */
    public static GgufFile open(Path path) {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment segment;
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
                segment = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            }
            return new GgufFile(path, arena, segment);
        } catch (NoSuchFileException e) {
            arena.close();
            throw new GgufException(path + ": no such file");
        } catch (IOException e) {
            arena.close();
            throw new GgufException(path + ": cannot read: " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    private int readAlignment(GgufMetadata md) {
        if (!md.contains(ALIGNMENT_KEY)) {
            return DEFAULT_ALIGNMENT;
        }
        GgufValue v = md.get(ALIGNMENT_KEY).orElseThrow();
        if (!v.type().isInteger()) {
            throw fail(ALIGNMENT_KEY + " is " + v.type() + ", expected an integer");
        }
        long a = (Long) v.value();
        if (a <= 0 || a > (1 << 20) || Long.bitCount(a) != 1) {
            throw fail(ALIGNMENT_KEY + " = " + a + " is not a power of two between 1 and 2^20");
        }
        return (int) a;
    }

    static long alignUp(long offset, long alignment) {
        return (offset + alignment - 1) / alignment * alignment;
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
            throw fail("missing tensor '" + name + "'");
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

    /** Reads the header sequentially, checking every length against the bytes that remain. */
    private final class Cursor {
        private long pos;

        long position() {
            return pos;
        }

        long remaining() {
            return file.byteSize() - pos;
        }

        private void need(long bytes, String what) {
            if (bytes < 0 || bytes > remaining()) {
                throw fail("truncated: " + what + " needs " + (bytes < 0 ? Long.toUnsignedString(bytes) : bytes)
                        + " bytes at offset " + pos + " but the file has " + remaining() + " left");
            }
        }

        int u32(String what) {
            need(4, what);
            int v = file.get(U32, pos);
            pos += 4;
            return v;
        }

        long u64(String what) {
            need(8, what);
            long v = file.get(U64, pos);
            pos += 8;
            return v;
        }

        String string(String what) {
            long len = u64(what + " length");
            if (len < 0 || len > Integer.MAX_VALUE - 8) {
                throw fail(what + ": string length " + Long.toUnsignedString(len) + " is impossible");
            }
            need(len, what);
            byte[] bytes = file.asSlice(pos, len).toArray(ValueLayout.JAVA_BYTE);
            pos += len;
            try {
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPLACE)
                        .onUnmappableCharacter(CodingErrorAction.REPLACE)
                        .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                throw fail(what + ": invalid UTF-8");
            }
        }

        GgufValue value(GgufValueType type, String key, int depth) {
            return switch (type) {
                case UINT8 -> { need(1, key); yield new GgufValue(type, (long) Byte.toUnsignedInt(file.get(ValueLayout.JAVA_BYTE, pos++))); }
                case INT8 -> { need(1, key); yield new GgufValue(type, (long) file.get(ValueLayout.JAVA_BYTE, pos++)); }
                case UINT16 -> { need(2, key); long v = Short.toUnsignedInt(file.get(U16, pos)); pos += 2; yield new GgufValue(type, v); }
                case INT16 -> { need(2, key); long v = file.get(U16, pos); pos += 2; yield new GgufValue(type, v); }
                case UINT32 -> new GgufValue(type, Integer.toUnsignedLong(u32(key)));
                case INT32 -> new GgufValue(type, (long) u32(key));
                case UINT64, INT64 -> new GgufValue(type, u64(key));
                case FLOAT32 -> { need(4, key); float v = file.get(F32, pos); pos += 4; yield new GgufValue(type, v); }
                case FLOAT64 -> { need(8, key); double v = file.get(F64, pos); pos += 8; yield new GgufValue(type, v); }
                case BOOL -> { need(1, key); byte b = file.get(ValueLayout.JAVA_BYTE, pos++); yield new GgufValue(type, b != 0); }
                case STRING -> new GgufValue(type, string("value of '" + key + "'"));
                case ARRAY -> new GgufValue(type, array(key, depth));
            };
        }

        GgufValue.GgufArray array(String key, int depth) {
            if (depth > 8) {
                throw fail("metadata key '" + key + "': arrays nested deeper than 8 levels");
            }
            int typeId = u32("element type of '" + key + "'");
            GgufValueType et = GgufValueType.byId(typeId);
            if (et == null) {
                throw fail("metadata key '" + key + "' is an array of unknown type " + Integer.toUnsignedString(typeId));
            }
            long n = u64("length of '" + key + "'");
            if (n < 0 || n > remaining() / et.minBytes() || n > Integer.MAX_VALUE - 8) {
                throw fail("metadata key '" + key + "': array length " + Long.toUnsignedString(n) + " is impossible with "
                        + remaining() + " bytes left");
            }
            int len = (int) n;
            return switch (et) {
                case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> {
                    long[] out = new long[len];
                    for (int i = 0; i < len; i++) {
                        out[i] = (Long) value(et, key, depth).value();
                    }
                    yield new GgufValue.GgufArray(et, out);
                }
                case FLOAT32 -> {
                    need(4L * len, key);
                    float[] out = file.asSlice(pos, 4L * len).toArray(F32);
                    pos += 4L * len;
                    yield new GgufValue.GgufArray(et, out);
                }
                case FLOAT64 -> {
                    need(8L * len, key);
                    double[] out = file.asSlice(pos, 8L * len).toArray(F64);
                    pos += 8L * len;
                    yield new GgufValue.GgufArray(et, out);
                }
                case BOOL -> {
                    boolean[] out = new boolean[len];
                    for (int i = 0; i < len; i++) {
                        out[i] = (Boolean) value(et, key, depth).value();
                    }
                    yield new GgufValue.GgufArray(et, out);
                }
                case STRING -> {
                    String[] out = new String[len];
                    for (int i = 0; i < len; i++) {
                        out[i] = string("element " + i + " of '" + key + "'");
                    }
                    yield new GgufValue.GgufArray(et, out);
                }
                case ARRAY -> {
                    GgufValue.GgufArray[] out = new GgufValue.GgufArray[len];
                    for (int i = 0; i < len; i++) {
                        out[i] = array(key, depth + 1);
                    }
                    yield new GgufValue.GgufArray(et, out);
                }
            };
        }

        GgufTensorInfo tensorInfo(long index) {
            String name = string("name of tensor #" + index);
            int nDims = u32("rank of tensor '" + name + "'");
            if (nDims < 1 || nDims > MAX_DIMS) {
                throw fail("tensor '" + name + "' has " + Integer.toUnsignedString(nDims) + " dimensions (1 to " + MAX_DIMS + " allowed)");
            }
            long[] shape = new long[nDims];
            long elements = 1;
            for (int d = 0; d < nDims; d++) {
                shape[d] = u64("dimension " + d + " of tensor '" + name + "'");
                if (shape[d] <= 0) {
                    throw fail("tensor '" + name + "' dimension " + d + " is " + Long.toUnsignedString(shape[d]));
                }
                try {
                    elements = Math.multiplyExact(elements, shape[d]);
                } catch (ArithmeticException e) {
                    throw fail("tensor '" + name + "' has more elements than fit in 64 bits");
                }
            }
            int typeId = u32("type of tensor '" + name + "'");
            GgmlType type = GgmlType.byId(typeId);
            if (type == null) {
                throw fail("tensor '" + name + "' has unknown type id " + Integer.toUnsignedString(typeId));
            }
            if (shape[0] % type.blockSize() != 0) {
                throw fail("tensor '" + name + "' row length " + shape[0] + " is not a multiple of the " + type + " block size " + type.blockSize());
            }
            if (elements / type.blockSize() > Long.MAX_VALUE / type.bytesPerBlock()) {
                throw fail("tensor '" + name + "' is larger than 2^63 bytes");
            }
            long offset = u64("offset of tensor '" + name + "'");
            if (offset < 0) {
                throw fail("tensor '" + name + "' offset " + Long.toUnsignedString(offset) + " is past the end of the file");
            }
            return new GgufTensorInfo(name, shape, type, offset);
        }
    }
}
