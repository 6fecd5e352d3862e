package io.moe4j.model;

/**
 * Choices made when a model is loaded.
 *
 * @param repack let decode copy Q4_0 matrices, on first use, into the row-grouped layout its fastest kernel
 *               reads ({@code InterleavedQ4_0}): about 1.8x faster decode on Q4_0 models for as much memory
 *               again as the matrices used (at most half the machine's memory in all; the rest stay in the
 *               file's layout). Off: every product reads the mapped file, as llama.cpp's {@code --no-repack}.
 */
public record LoadOptions(boolean repack) {
    public static final LoadOptions DEFAULT = new LoadOptions(true);
}
