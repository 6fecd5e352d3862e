package io.moe4j.model;

/**
 * Choices made when a model is loaded.
 *
 * @param repack let decode copy Q4_0, Q8_0, Q4_K and Q6_K matrices, on first use, into the row-grouped layout
 *               its fastest kernels read ({@code InterleavedRows}): 1.4-4x faster decode for as much memory
 *               again as the matrices used (at most half the machine's memory in all; the rest stay in the
 *               file's layout). Off: every product reads the mapped file, as llama.cpp's {@code --no-repack}.
 */
public record LoadOptions(boolean repack) {
    public static final LoadOptions DEFAULT = new LoadOptions(true);
}
