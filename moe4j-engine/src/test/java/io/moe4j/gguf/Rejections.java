package io.moe4j.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Assertions that a file is refused the way the reader promises: a GgufException with a one-line message naming file and problem. */
final class Rejections {
    private Rejections() {
    }

    static GgufException assertRejected(Path file, String... expectedFragments) {
        Throwable thrown = catchThrowable(() -> GgufFile.open(file).close());
        assertThat(thrown).as("opening %s", file).isExactlyInstanceOf(GgufException.class);
        assertOneLineNaming(thrown.getMessage(), file);
        if (expectedFragments.length > 0) {
            assertThat(thrown.getMessage()).contains(expectedFragments);
        }
        return (GgufException) thrown;
    }

    static GgufException assertRejected(Path dir, byte[] bytes, String... expectedFragments) {
        return assertRejected(write(dir.resolve("hostile.gguf"), bytes), expectedFragments);
    }

    static void assertOneLineNaming(String message, Path file) {
        assertThat(message).startsWith(file + ": ").doesNotContain("\n", "\r", "\u2028", "\u2029");
    }

    static Path write(Path file, byte[] bytes) {
        try {
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
