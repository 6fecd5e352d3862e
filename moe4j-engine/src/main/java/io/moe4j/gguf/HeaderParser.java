package io.moe4j.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses a GGUF header (everything before the tensor data) from a mapped file. A hostile header must cost no
 * more than its own size: every count and length is checked against the bytes that remain before anything is
 * allocated for it, recursion is bounded, and error descriptions are only built once something has failed.
 */
final class HeaderParser {
    /** What the header holds; {@code end} is the offset just past it, before the padding to the alignment. */
    record Header(int version, GgufMetadata metadata, List<GgufTensorInfo> tensors, long end) {
    }

    // The fewest bytes a tensor info can take: name length 8, rank 4, one dimension 8, type 4, offset 8.
    private static final int MIN_TENSOR_INFO_BYTES = 32;
    // The fewest bytes a metadata entry can take: key length 8, value type 4, a one-byte value.
    private static final int MIN_ENTRY_BYTES = 13;
    // Java arrays (and so strings and metadata arrays) cannot be longer.
    private static final long MAX_JAVA_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MemorySegment file;
    private final Path path;
    private long pos;
    /** The metadata entry or tensor being read, for error messages; null while reading the fixed fields. */
    private String subject;

    private HeaderParser(MemorySegment file, Path path) {
        this.file = file;
        this.path = path;
    }

    static Header parse(MemorySegment file, Path path) {
        return new HeaderParser(file, path).header();
    }

    private Header header() {
        need(4, "magic");
        if (file.get(I32, 0) != GgufFile.MAGIC) {
            String found = HexFormat.ofDelimiter(" ").formatHex(file.asSlice(0, 4).toArray(ValueLayout.JAVA_BYTE));
            throw fail("bad magic: the file starts with bytes " + found + ", not \"GGUF\"; it is not a GGUF file");
        }
        pos = 4;
        int version = u32("version");
        if (version != 2 && version != 3) {
            int swapped = Integer.reverseBytes(version);
            throw fail("unsupported GGUF version " + Integer.toUnsignedString(version)
                    + (swapped == 2 || swapped == 3 ? " (a big-endian file?)" : "") + "; supported: 2 and 3");
        }
        long tensorCount = u64("tensor count");
        long entryCount = u64("metadata count");
        requireRoom(tensorCount, MIN_TENSOR_INFO_BYTES, "tensor count");
        requireRoom(entryCount, MIN_ENTRY_BYTES, "metadata count");
        GgufMetadata metadata = metadata(entryCount);
        List<GgufTensorInfo> tensors = tensorInfos(tensorCount);
        return new Header(version, metadata, tensors, pos);
    }

    private GgufMetadata metadata(long count) {
        Map<String, GgufValue> entries = new LinkedHashMap<>();
        for (long i = 0; i < count; i++) {
            subject = "metadata entry #" + i;
            String key = string();
            subject = "metadata key " + Names.quote(key);
            int typeId = u32("value type");
            GgufValueType type = GgufValueType.byId(typeId);
            if (type == null) {
                throw fail(subject + " has unknown value type " + Integer.toUnsignedString(typeId));
            }
            if (entries.putIfAbsent(key, value(type)) != null) {
                throw fail("duplicate " + subject);
            }
        }
        subject = null;
        return new GgufMetadata(entries);
    }

    private GgufValue value(GgufValueType type) {
        return new GgufValue(type, switch (type) {
            case STRING -> string();
            case ARRAY -> array(0);
            default -> {
                need(type.minBytes(), "value");
                yield scalar(type);
            }
        });
    }

    /** A fixed-width value whose bytes are known to be there (its type's minBytes is its width). */
    private Object scalar(GgufValueType type) {
        return switch (type) {
            case FLOAT32 -> {
                float v = file.get(F32, pos);
                pos += 4;
                yield v;
            }
            case FLOAT64 -> {
                double v = file.get(F64, pos);
                pos += 8;
                yield v;
            }
            case BOOL -> file.get(ValueLayout.JAVA_BYTE, pos++) != 0;
            default -> integer(type);
        };
    }

    private long integer(GgufValueType type) {
        long v = switch (type) {
            case UINT8 -> Byte.toUnsignedLong(file.get(ValueLayout.JAVA_BYTE, pos));
            case INT8 -> file.get(ValueLayout.JAVA_BYTE, pos);
            case UINT16 -> Short.toUnsignedLong(file.get(I16, pos));
            case INT16 -> file.get(I16, pos);
            case UINT32 -> Integer.toUnsignedLong(file.get(I32, pos));
            case INT32 -> file.get(I32, pos);
            case UINT64, INT64 -> file.get(I64, pos);
            default -> throw new IllegalArgumentException(type + " is not an integer type");
        };
        pos += type.minBytes();
        return v;
    }

    private GgufValue.GgufArray array(int depth) {
        if (depth > GgufFormat.MAX_ARRAY_NESTING) {
            throw fail(subject + ": arrays nested deeper than " + GgufFormat.MAX_ARRAY_NESTING + " levels");
        }
        int typeId = u32("array element type");
        GgufValueType type = GgufValueType.byId(typeId);
        if (type == null) {
            throw fail(subject + " is an array of unknown element type " + Integer.toUnsignedString(typeId));
        }
        int length = length(u64("array length"), type.minBytes(), "array length");
        // Fixed-width elements are all there: length() checked length * minBytes against the bytes left.
        Object values = switch (type) {
            case STRING -> {
                String[] a = new String[length];
                for (int i = 0; i < length; i++) {
                    a[i] = string();
                }
                yield a;
            }
            case ARRAY -> {
                GgufValue.GgufArray[] a = new GgufValue.GgufArray[length];
                for (int i = 0; i < length; i++) {
                    a[i] = array(depth + 1);
                }
                yield a;
            }
            case FLOAT32 -> bulk(F32, length);
            case FLOAT64 -> bulk(F64, length);
            case BOOL -> {
                boolean[] a = new boolean[length];
                for (int i = 0; i < length; i++) {
                    a[i] = file.get(ValueLayout.JAVA_BYTE, pos++) != 0;
                }
                yield a;
            }
            default -> {
                long[] a = new long[length];
                for (int i = 0; i < length; i++) {
                    a[i] = integer(type);
                }
                yield a;
            }
        };
        return new GgufValue.GgufArray(type, values);
    }

    private Object bulk(ValueLayout layout, int length) {
        MemorySegment slice = file.asSlice(pos, length * layout.byteSize());
        pos += slice.byteSize();
        return layout instanceof ValueLayout.OfFloat f ? slice.toArray(f) : slice.toArray((ValueLayout.OfDouble) layout);
    }

    private String string() {
        int length = length(u64("string length"), 1, "string length");
        if (length == 0) {
            return "";
        }
        byte[] utf8 = file.asSlice(pos, length).toArray(ValueLayout.JAVA_BYTE);
        pos += length;
        return new String(utf8, StandardCharsets.UTF_8); // malformed UTF-8 becomes U+FFFD, as the format does not forbid it
    }

    private List<GgufTensorInfo> tensorInfos(long count) {
        List<GgufTensorInfo> infos = new ArrayList<>();
        for (long i = 0; i < count; i++) {
            subject = "tensor #" + i;
            String name = string();
            subject = "tensor " + Names.quote(name);
            int rank = u32("rank");
            String rankProblem = GgufFormat.rankProblem(Integer.toUnsignedLong(rank));
            if (rankProblem != null) {
                throw fail(subject + " " + rankProblem);
            }
            long[] shape = new long[rank];
            for (int d = 0; d < rank; d++) {
                shape[d] = u64("dimension");
            }
            int typeId = u32("type");
            GgmlType type = GgmlType.byId(typeId);
            if (type == null) {
                throw fail(subject + " has unknown type id " + Integer.toUnsignedString(typeId));
            }
            String shapeProblem = GgufFormat.shapeProblem(shape, type);
            if (shapeProblem != null) {
                throw fail(subject + " of type " + type + " " + shapeProblem);
            }
            long offset = u64("offset");
            if (offset < 0) {
                throw fail(subject + " has data offset " + Long.toUnsignedString(offset) + ", past the end of the file");
            }
            infos.add(new GgufTensorInfo(name, shape, type, offset));
        }
        subject = null;
        return infos;
    }

    private long remaining() {
        return file.byteSize() - pos;
    }

    private String describe(String item) {
        return subject == null ? item : subject + ": " + item;
    }

    private void need(long bytes, String item) {
        if (bytes > remaining()) {
            throw fail("truncated at offset " + pos + ": " + describe(item) + " needs " + bytes + " bytes but only " + remaining() + " remain");
        }
    }

    /** Checks that {@code count} items of at least {@code minBytesEach} bytes can fit in what is left of the file. */
    private void requireRoom(long count, long minBytesEach, String item) {
        if (count < 0 || count > remaining() / minBytesEach) {
            throw fail(describe(item) + " " + Long.toUnsignedString(count) + " cannot fit in the " + remaining()
                    + " bytes left at offset " + pos + " (truncated or corrupt file)");
        }
    }

    /** A length read from the file, checked like {@link #requireRoom} and against what a Java array can hold. */
    private int length(long count, long minBytesEach, String item) {
        requireRoom(count, minBytesEach, item);
        if (count > MAX_JAVA_ARRAY_LENGTH) {
            throw fail(describe(item) + " " + count + " is more than this reader supports (" + MAX_JAVA_ARRAY_LENGTH + ")");
        }
        return (int) count;
    }

    private int u32(String item) {
        need(4, item);
        int v = file.get(I32, pos);
        pos += 4;
        return v;
    }

    private long u64(String item) {
        need(8, item);
        long v = file.get(I64, pos);
        pos += 8;
        return v;
    }

    private GgufException fail(String problem) {
        return new GgufException(path + ": " + problem);
    }
}
