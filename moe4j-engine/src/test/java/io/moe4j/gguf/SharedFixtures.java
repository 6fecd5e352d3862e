package io.moe4j.gguf;

import io.moe4j.testing.Shared;
import java.nio.file.Path;

/** Shortcuts to the shared fixtures for the GGUF tests; {@link Shared} finds the folder. */
final class SharedFixtures {

    private SharedFixtures() {
    }

    static Path root() {
        return Shared.root();
    }

    static Path model(String relative) {
        return Shared.file("models/" + relative);
    }
}
