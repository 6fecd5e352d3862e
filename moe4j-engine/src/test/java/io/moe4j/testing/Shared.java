package io.moe4j.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The shared fixtures folder ({@code ../shared} beside the repository). Tests run with a module folder
 * as working directory, so both {@code ../shared} and {@code ../../shared} are tried. A missing folder
 * fails the test: a skipped fixture would hide a broken engine.
 */
public final class Shared {
    private Shared() {
    }

    public static Path root() {
        for (String candidate : new String[] {"../shared", "../../shared"}) {
            Path p = Path.of(candidate);
            if (Files.isDirectory(p.resolve("models"))) {
                return p.toAbsolutePath().normalize();
            }
        }
        throw new IllegalStateException("fixtures folder ../shared not found from " + Path.of("").toAbsolutePath()
                + ": clone the repository next to shared/");
    }

    public static Path file(String relative) {
        Path p = root().resolve(relative);
        if (!Files.exists(p)) {
            throw new IllegalStateException("missing fixture " + p);
        }
        return p;
    }
}
