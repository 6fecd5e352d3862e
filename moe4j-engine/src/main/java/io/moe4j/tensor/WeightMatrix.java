package io.moe4j.tensor;

import io.moe4j.gguf.GgufException;

import java.lang.foreign.MemorySegment;

/**
 * A row-major matrix of stored weights ({@code rows} rows of {@code cols} values each) in any supported
 * ggml type, read in place from the mapped file. The product with an activation vector is the engine's
 * basic operation: {@code out[r] = row(r) · x}.
 */
public final class WeightMatrix {
    private final String name;
    private final BlockFormat format;
    private final MemorySegment data;
    private final long offset;
    private final int rows;
    private final int cols;
    private final long rowBytes;
    /** Whether decode may use a regrouped copy ({@link InterleavedRows}); cleared if making it was declined. */
    private volatile boolean interleave;
    private volatile InterleavedRows interleaved;
    /** {@link ProductTimes#kindOf} this matrix's name, made on first use. */
    private String kind;

    public WeightMatrix(String name, BlockFormat format, MemorySegment data, long offset, int rows, int cols) {
        this(name, format, data, offset, rows, cols, false);
    }

    /**
     * @param interleaveForDecode let decode products use a copy of the rows regrouped for their kernels, made on
     *                            first use (Q4_0, Q5_0, Q8_0, Q4_K and Q6_K matrices: {@link InterleavedRows})
     */
    public WeightMatrix(String name, BlockFormat format, MemorySegment data, long offset, int rows, int cols,
                        boolean interleaveForDecode) {
        if (cols % format.type().blockSize() != 0) {
            throw new GgufException(name + ": row length " + cols + " is not a multiple of the " + format.type() + " block size");
        }
        this.name = name;
        this.format = format;
        this.data = data;
        this.offset = offset;
        this.rows = rows;
        this.cols = cols;
        this.rowBytes = format.type().byteSize(cols);
        if (offset + rowBytes * rows > data.byteSize()) {
            throw new GgufException(name + ": " + rows + " rows of " + rowBytes + " bytes do not fit its data");
        }
        this.interleave = interleaveForDecode && InterleavedRows.applies(format.type(), rows, cols);
    }

    /** The copy regrouped for decode, made on the first call by {@code pool}'s threads; null where this matrix has none. */
    InterleavedRows interleaved(ComputePool pool) {
        InterleavedRows copy = interleaved;
        if (copy != null || !interleave) {
            return copy;
        }
        synchronized (this) {
            if (interleaved == null && interleave) {
                interleaved = InterleavedRows.of(format.type(), data, offset, rows, cols, pool);
                interleave = interleaved != null;
            }
            return interleaved;
        }
    }

    public String name() {
        return name;
    }

    /** What {@link ProductTimes} counts this matrix's products under: its name without layer and expert. */
    String kind() {
        String k = kind;
        if (k == null) {
            k = ProductTimes.kindOf(name);
            kind = k;
        }
        return k;
    }

    public BlockFormat format() {
        return format;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public long rowBytes() {
        return rowBytes;
    }

    /** Bytes of weights this matrix occupies. */
    public long byteSize() {
        return rowBytes * rows;
    }

    public MemorySegment data() {
        return data;
    }

    /** Byte offset of row {@code row} in {@link #data()}. */
    public long rowOffset(int row) {
        return offset + rowBytes * row;
    }

    public float dot(int row, float[] x, int xOffset) {
        return format.dot(data, rowOffset(row), x, xOffset, cols);
    }

    /** The row's dot product with activation codes and their per-block scales: see {@link BlockFormat#dot}. */
    public float dot(int row, float[] codes, int xOffset, float[] xScales, int scaleOffset) {
        return format.dot(data, rowOffset(row), codes, xOffset, xScales, scaleOffset, cols);
    }

    /** {@link #dot(int, float[], int, float[], int)} for rows {@code row..row+3} into {@code out[outOffset..outOffset+4)}. */
    public void dot4(int row, float[] codes, int xOffset, float[] xScales, int scaleOffset, float[] out, int outOffset) {
        java.util.Objects.checkFromIndexSize(row, 4, rows);
        format.dot4(data, rowOffset(row), rowBytes, codes, xOffset, xScales, scaleOffset, cols, out, outOffset);
    }

    /** {@code out[outOffset + r - rowStart] = row(r) · x[xOffset..]} for r in [rowStart, rowEnd). */
    public void matVec(float[] x, int xOffset, float[] out, int outOffset, int rowStart, int rowEnd) {
        for (int r = rowStart; r < rowEnd; r++) {
            out[outOffset + r - rowStart] = format.dot(data, rowOffset(r), x, xOffset, cols);
        }
    }

    public void dequantizeRow(int row, float[] dst, int dstOffset) {
        format.dequantize(data, rowOffset(row), dst, dstOffset, cols);
    }

    /** Decodes values {@code [col, col + count)} of a row; both must be multiples of the type's block size. */
    public void dequantize(int row, int col, int count, float[] dst, int dstOffset) {
        format.dequantize(data, rowOffset(row) + format.type().byteSize(col), dst, dstOffset, count);
    }

    @Override
    public String toString() {
        return name + " " + format.type() + " " + rows + "x" + cols;
    }
}
