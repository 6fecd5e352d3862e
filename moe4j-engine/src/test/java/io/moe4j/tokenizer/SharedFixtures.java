package io.moe4j.tokenizer;

import static org.assertj.core.api.Assertions.fail;

import io.moe4j.gguf.GgufFile;
import io.moe4j.gguf.GgufMetadata;
import io.moe4j.testing.Shared;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Locates the shared test data (../shared) and loads the tokenizer fixtures in it. */
final class SharedFixtures {
    /** Separator that follows every string in a llama.cpp {@code .inp} file. */
    static final String INPUT_SEPARATOR = "\n__ggml_vocab_test__\n";

    private static final Map<Path, Tokenizer> TOKENIZERS = new ConcurrentHashMap<>();

    private SharedFixtures() {
    }

    /** The shared folder; tests fail (not skip) without it, since it holds the reference outputs. */
    static Path sharedDir() {
        return Shared.root();
    }

    static Path referenceVocab(String name) {
        return sharedDir().resolve("reference/tokenizer/ggml-vocab-" + name + ".gguf");
    }

    static Path tinyCodeMoe() {
        return sharedDir().resolve("models/tiny-code-moe/tiny-code-moe-q4_k_m.gguf");
    }

    static GgufMetadata metadata(Path gguf) {
        try (GgufFile file = GgufFile.open(gguf)) {
            return file.metadata();
        }
    }

    /** Tokenizers are loaded once per file: building one parses a whole vocabulary. */
    static Tokenizer tokenizer(Path gguf) {
        return TOKENIZERS.computeIfAbsent(gguf, p -> Tokenizer.fromGguf(metadata(p)));
    }

    static Tokenizer referenceTokenizer(String name) {
        return tokenizer(referenceVocab(name));
    }

    /** The test strings of a vocabulary's {@code .inp} file. */
    static List<String> referenceInputs(String name) {
        String all = read(Path.of(referenceVocab(name) + ".inp"));
        if (!all.endsWith(INPUT_SEPARATOR)) {
            fail("input file of " + name + " does not end with the separator");
        }
        return List.of(all.substring(0, all.length() - INPUT_SEPARATOR.length()).split(INPUT_SEPARATOR, -1));
    }

    /** The expected ids of a vocabulary's {@code .out} file, one array per input string. */
    static List<int[]> referenceOutputs(String name) {
        List<int[]> outputs = new ArrayList<>();
        String[] lines = read(Path.of(referenceVocab(name) + ".out")).split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (i == lines.length - 1 && lines[i].isEmpty()) {
                break; // the newline that ends the last line
            }
            String line = lines[i].strip();
            outputs.add(line.isEmpty() ? new int[0] : Arrays.stream(line.split(" +")).mapToInt(Integer::parseInt).toArray());
        }
        return outputs;
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] readBytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A string with control characters and non-ASCII escaped, short enough for a test name. */
    static String displayName(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().limit(40).forEach(cp -> {
            switch (cp) {
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (cp < 0x20 || cp == 0x7F) {
                        sb.append(String.format("\\x%02x", cp));
                    } else {
                        sb.appendCodePoint(cp);
                    }
                }
            }
        });
        if (s.codePointCount(0, s.length()) > 40) {
            sb.append("…");
        }
        return "\"" + sb + "\"";
    }
}
