package io.moe4j.gguf;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The bytes of one tensor, produced while {@link GgufWriter} writes the file rather than when the tensor is
 * added: a file of many gigabytes can then be described up front and generated tensor by tensor without ever
 * being held in memory. An implementation must write exactly the tensor's byte size; the writer adds the
 * alignment padding and checks the count.
 */
@FunctionalInterface
public interface TensorData {

    /** Writes the tensor's bytes to {@code out}, which the writer owns: do not close it. */
    void writeTo(OutputStream out) throws IOException;

    /** The bytes of {@code data}, read when the file is written. */
    static TensorData of(byte[] data) {
        return out -> out.write(data);
    }

    /** The bytes of {@code data} (a mapped tensor of another file, for example), read when the file is written. */
    static TensorData of(MemorySegment data) {
        return out -> {
            byte[] chunk = new byte[(int) Math.min(data.byteSize(), 1 << 16)];
            for (long pos = 0; pos < data.byteSize(); pos += chunk.length) {
                int n = (int) Math.min(chunk.length, data.byteSize() - pos);
                MemorySegment.copy(data, ValueLayout.JAVA_BYTE, pos, chunk, 0, n);
                out.write(chunk, 0, n);
            }
        };
    }
}
