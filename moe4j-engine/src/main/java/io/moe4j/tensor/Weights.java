package io.moe4j.tensor;

import io.moe4j.gguf.GgufException;
import io.moe4j.gguf.GgufFile;
import io.moe4j.gguf.GgufTensorInfo;

import java.lang.foreign.MemorySegment;

/** Builds weight views over the tensors of a GGUF file, checking their shapes. */
public final class Weights {
    private final GgufFile file;
    private final boolean repackForDecode;

    /** Views that read the file only. */
    public Weights(GgufFile file) {
        this(file, false);
    }

    /** @param repackForDecode let matrices make a copy regrouped for decode on first use ({@link WeightMatrix}) */
    public Weights(GgufFile file, boolean repackForDecode) {
        this.file = file;
        this.repackForDecode = repackForDecode;
    }

    public GgufFile file() {
        return file;
    }

    public boolean has(String name) {
        return file.findTensor(name).isPresent();
    }

    /** A 2-D tensor of shape {cols, rows} as a matrix; {@code rows}/{@code cols} &lt; 0 skip the check. */
    public WeightMatrix matrix(String name, int rows, int cols) {
        GgufTensorInfo t = file.tensor(name);
        if (t.rank() != 2 && !(t.rank() == 3 && t.dim(2) == 1)) {
            throw shapeError(t, "a matrix");
        }
        checkDim(t, 0, cols);
        checkDim(t, 1, rows);
        return new WeightMatrix(name, BlockFormats.of(t.type()), file.tensorData(t), 0, (int) t.dim(1), (int) t.dim(0), repackForDecode);
    }

    /** The matrices of a 3-D stacked tensor of shape {cols, rows, count} (experts stored together). */
    public WeightMatrix[] stack(String name, int count, int rows, int cols) {
        GgufTensorInfo t = file.tensor(name);
        if (t.rank() != 3) {
            throw shapeError(t, "a stack of " + count + " matrices");
        }
        checkDim(t, 0, cols);
        checkDim(t, 1, rows);
        checkDim(t, 2, count);
        BlockFormat format = BlockFormats.of(t.type());
        MemorySegment data = file.tensorData(t);
        int r = (int) t.dim(1);
        int c = (int) t.dim(0);
        long matrixBytes = t.type().byteSize((long) r * c);
        WeightMatrix[] out = new WeightMatrix[(int) t.dim(2)];
        for (int i = 0; i < out.length; i++) {
            out[i] = new WeightMatrix(name + "[" + i + "]", format, data, matrixBytes * i, r, c, repackForDecode);
        }
        return out;
    }

    /** A 1-D tensor (norm weights, gate vectors) decoded to floats. */
    public float[] vector(String name, int length) {
        GgufTensorInfo t = file.tensor(name);
        if (t.rank() != 1) {
            throw shapeError(t, "a vector");
        }
        checkDim(t, 0, length);
        float[] out = new float[(int) t.dim(0)];
        BlockFormats.of(t.type()).dequantize(file.tensorData(t), 0, out, 0, out.length);
        return out;
    }

    private void checkDim(GgufTensorInfo t, int dim, int expected) {
        if (t.dim(dim) > Integer.MAX_VALUE) {
            throw shapeError(t, "dimensions below 2^31");
        }
        if (expected >= 0 && t.dim(dim) != expected) {
            throw new GgufException(file.path() + ": tensor '" + t.name() + "' has dimension " + dim + " = " + t.dim(dim)
                    + ", the model's metadata implies " + expected);
        }
    }

    private GgufException shapeError(GgufTensorInfo t, String expected) {
        return new GgufException(file.path() + ": tensor '" + t.name() + "' has shape " + java.util.Arrays.toString(t.shape())
                + ", expected " + expected);
    }
}
