package io.moe4j.gguf;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The shared fixture folder (models, reference data), which lives beside the repository. Tests run from the
 * repository root or, under Surefire, from the module folder, so both relative places are tried. A missing
 * folder fails the test rather than skipping it: silently skipped checks would pass on a broken setup.
 */
final class SharedFixtures {
    private static final String[] CANDIDATES = {"../shared", "../../shared"};

    private SharedFixtures() {
    }

    static Path root() {
        for (String candidate : CANDIDATES) {
            Path p = Path.of(candidate);
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        throw new AssertionError("shared fixtures not found: tried " + String.join(" and ", CANDIDATES)
                + " from " + Path.of("").toAbsolutePath() + "; they must sit beside the repository");
    }

    static Path model(String relative) {
        Path p = root().resolve("models").resolve(relative);
        if (!Files.isRegularFile(p)) {
            throw new AssertionError("shared model missing: " + p.toAbsolutePath());
        }
        return p;
    }
}
