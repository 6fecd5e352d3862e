package io.moe4j.model;

import io.moe4j.gguf.GgufException;
import io.moe4j.gguf.GgufFile;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** The architectures moe4j can run, and loading a model file with the right one. */
public final class Architectures {
    private static final List<Architecture> ALL = List.of(new Qwen3Moe(), new Olmoe(), new Mixtral(), new Qwen2Moe());

    private Architectures() {
    }

    public static List<Architecture> all() {
        return ALL;
    }

    public static Architecture forName(String name) {
        for (Architecture a : ALL) {
            if (a.name().equals(name)) {
                return a;
            }
        }
        throw new GgufException("unknown architecture '" + name + "' (supported: "
                + ALL.stream().map(Architecture::name).collect(Collectors.joining(", ")) + ")");
    }

    /** Opens a GGUF file and builds its model with the default {@link LoadOptions}. */
    public static MoeModel load(Path path) {
        return load(path, LoadOptions.DEFAULT);
    }

    /** Opens a GGUF file and builds its model; the model owns the file and closes it. */
    public static MoeModel load(Path path, LoadOptions options) {
        GgufFile file = GgufFile.open(path);
        try {
            String arch = file.metadata().findString("general.architecture")
                    .orElseThrow(() -> new GgufException(path + ": missing metadata key 'general.architecture'"));
            return forName(arch).load(file, options);
        } catch (GgufException e) {
            file.close();
            throw e.getMessage().startsWith(path.toString()) ? e : new GgufException(path + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            file.close();
            throw new GgufException(path + ": " + e.getMessage(), e);
        }
    }
}
