package io.moe4j.gguf;

/**
 * Rules of the GGUF format that {@link GgufFile} and {@link GgufWriter} must agree on, kept in one place so
 * that every file the writer accepts to write is one the reader accepts to open.
 */
final class GgufFormat {
    /** The version {@link GgufWriter} writes. */
    static final int WRITTEN_VERSION = 3;
    /** Arrays may hold arrays this many levels deep below the top-level array; bounds the reader's recursion. */
    static final int MAX_ARRAY_NESTING = 8;
    /** The largest {@code general.alignment} accepted; real files use 32, and far larger values only come from corrupt ones. */
    static final int MAX_ALIGNMENT = 1 << 20;
    /** llama.cpp stores tensor names in a 64-byte buffer with a terminating zero. */
    static final int MAX_TENSOR_NAME_BYTES = 63;

    private GgufFormat() {
    }

    static boolean isValidAlignment(long alignment) {
        return alignment > 0 && alignment <= MAX_ALIGNMENT && Long.bitCount(alignment) == 1;
    }

    static String alignmentProblem(long alignment) {
        return GgufFile.ALIGNMENT_KEY + " = " + alignment + " is not a power of two between 1 and 2^20";
    }

    static long alignUp(long offset, long alignment) {
        return (offset + alignment - 1) / alignment * alignment;
    }

    /** Why a tensor cannot have this many dimensions (an unsigned count), or null if it can. */
    static String rankProblem(long rank) {
        return rank >= 1 && rank <= GgufFile.MAX_DIMS ? null
                : "has " + Long.toUnsignedString(rank) + " dimensions (1 to " + GgufFile.MAX_DIMS + " allowed)";
    }

    /**
     * Why a tensor of this shape and type cannot be stored, or null if it can. Dimensions are unsigned in the
     * file, so a negative one stands for a size of 2^63 or more.
     */
    static String shapeProblem(long[] shape, GgmlType type) {
        String rankProblem = rankProblem(shape.length);
        if (rankProblem != null) {
            return rankProblem;
        }
        long elements = 1;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] <= 0) {
                return "has dimension " + d + " = " + Long.toUnsignedString(shape[d]) + " (must be between 1 and 2^63-1)";
            }
            if (elements > Long.MAX_VALUE / shape[d]) {
                return "has more elements than fit in 64 bits";
            }
            elements *= shape[d];
        }
        if (shape[0] % type.blockSize() != 0) {
            return "has row length " + shape[0] + ", not a multiple of the " + type + " block size " + type.blockSize();
        }
        if (elements / type.blockSize() > Long.MAX_VALUE / type.bytesPerBlock()) {
            return "takes more than 2^63 bytes";
        }
        return null;
    }
}
