package io.moe4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moe4j.testing.Shared;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** One entry of {@code reference/logits/manifest.json}: a model, its input tokens and llama.cpp's logits. */
public record ReferenceLogits(String name, Path model, int[] tokens, int vocab, Path logitsFile) {

    public static List<ReferenceLogits> all() throws IOException {
        Path manifest = Shared.file("reference/logits/manifest.json");
        JsonNode root = new ObjectMapper().readTree(manifest.toFile());
        List<ReferenceLogits> out = new ArrayList<>();
        for (JsonNode f : root.get("fixtures")) {
            JsonNode toks = f.get("tokens");
            int[] tokens = new int[toks.size()];
            for (int i = 0; i < tokens.length; i++) {
                tokens[i] = toks.get(i).asInt();
            }
            Path model = Shared.file(f.get("model").asText());
            String name = model.getFileName().toString().replace(".gguf", "");
            out.add(new ReferenceLogits(name, model, tokens, f.get("n_vocab").asInt(), Shared.file(f.get("logits").asText())));
        }
        return out;
    }

    public float[][] expected() throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(logitsFile)).order(ByteOrder.LITTLE_ENDIAN);
        float[][] out = new float[tokens.length][vocab];
        for (float[] row : out) {
            b.asFloatBuffer().get(row);
            b.position(b.position() + 4 * vocab);
        }
        return out;
    }

    @Override
    public String toString() {
        return name;
    }
}
