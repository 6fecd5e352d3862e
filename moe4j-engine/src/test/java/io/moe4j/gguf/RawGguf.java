package io.moe4j.gguf;

/**
 * Builds GGUF bytes field by field, including what {@link GgufWriter} refuses to write (duplicate keys,
 * absurd lengths, unknown type ids), for the hostile-file tests.
 */
final class RawGguf {
    private final ByteSink sink = new ByteSink();

    static RawGguf header(int version, long tensorCount, long entryCount) {
        RawGguf raw = new RawGguf();
        raw.sink.u32(GgufFile.MAGIC).u32(version).u64(tensorCount).u64(entryCount);
        return raw;
    }

    static RawGguf header(long tensorCount, long entryCount) {
        return header(3, tensorCount, entryCount);
    }

    RawGguf u8(int v) {
        sink.u8(v);
        return this;
    }

    RawGguf u32(int v) {
        sink.u32(v);
        return this;
    }

    RawGguf u64(long v) {
        sink.u64(v);
        return this;
    }

    RawGguf string(String s) {
        sink.string(s);
        return this;
    }

    /** The start of a metadata entry: its key and value type; the value follows. */
    RawGguf entry(String key, GgufValueType type) {
        return string(key).u32(type.id());
    }

    RawGguf entryU32(String key, int value) {
        return entry(key, GgufValueType.UINT32).u32(value);
    }

    RawGguf tensorInfo(String name, long[] shape, int typeId, long offset) {
        string(name).u32(shape.length);
        for (long d : shape) {
            u64(d);
        }
        return u32(typeId).u64(offset);
    }

    RawGguf padTo(int alignment) {
        sink.padTo(alignment);
        return this;
    }

    RawGguf zeros(int count) {
        sink.bytes(new byte[count]);
        return this;
    }

    byte[] bytes() {
        return sink.toByteArray();
    }
}
