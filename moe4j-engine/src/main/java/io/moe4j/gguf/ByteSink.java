package io.moe4j.gguf;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable little-endian byte buffer for GGUF headers. Headers are small next to tensor data, so the writer
 * builds them in memory, where field writes cannot fail, and streams only the tensor data.
 */
final class ByteSink {
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int MAX_SIZE = Integer.MAX_VALUE - 8;

    private byte[] bytes = new byte[256];
    private int size;

    int size() {
        return size;
    }

    private int reserve(int n) {
        if (n > MAX_SIZE - size) {
            throw new IllegalArgumentException("GGUF header larger than 2 GB");
        }
        if (size + n > bytes.length) {
            bytes = Arrays.copyOf(bytes, (int) Math.min(MAX_SIZE, Math.max(size + n, 2L * bytes.length)));
        }
        int at = size;
        size += n;
        return at;
    }

    // Each write reserves before it touches the array: reserve() may replace it.

    ByteSink u8(int v) {
        int at = reserve(1);
        bytes[at] = (byte) v;
        return this;
    }

    ByteSink u16(int v) {
        int at = reserve(2);
        SHORT.set(bytes, at, (short) v);
        return this;
    }

    ByteSink u32(int v) {
        int at = reserve(4);
        INT.set(bytes, at, v);
        return this;
    }

    ByteSink u64(long v) {
        int at = reserve(8);
        LONG.set(bytes, at, v);
        return this;
    }

    ByteSink f32(float v) {
        return u32(Float.floatToRawIntBits(v));
    }

    ByteSink f64(double v) {
        return u64(Double.doubleToRawLongBits(v));
    }

    ByteSink bytes(byte[] b) {
        int at = reserve(b.length);
        System.arraycopy(b, 0, bytes, at, b.length);
        return this;
    }

    /** A GGUF string: its UTF-8 byte count as a u64, then the bytes, without a terminating zero. */
    ByteSink string(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        return u64(utf8.length).bytes(utf8);
    }

    /** Zero bytes up to the next multiple of {@code alignment}. */
    ByteSink padTo(int alignment) {
        int padding = (int) (GgufFormat.alignUp(size, alignment) - size);
        reserve(padding); // new and grown arrays are zero-filled, and bytes past size are never written
        return this;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(bytes, size);
    }

    void writeTo(OutputStream out) throws IOException {
        out.write(bytes, 0, size);
    }
}
