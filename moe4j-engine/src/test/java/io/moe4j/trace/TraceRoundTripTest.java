package io.moe4j.trace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moe4j.model.Architectures;
import io.moe4j.model.KvCache;
import io.moe4j.model.MoeModel;
import io.moe4j.route.ExpertSelection;
import io.moe4j.route.Gating;
import io.moe4j.route.RouteSpec;
import io.moe4j.route.RoutingListener;
import io.moe4j.route.RoutingStats;
import io.moe4j.tensor.ComputePool;
import io.moe4j.testing.Shared;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class TraceRoundTripTest {

    /** One routed batch as the model would report it, layer by layer. */
    private record Batch(int[] positions, float[][][] logits, ExpertSelection[][] selections) {
    }

    private static Batch randomBatch(SplittableRandom r, Gating gating, int layers, int tokens, int startPos) {
        int[] positions = new int[tokens];
        float[][][] logits = new float[layers][tokens][gating.expertCount()];
        ExpertSelection[][] selections = new ExpertSelection[layers][tokens];
        for (int t = 0; t < tokens; t++) {
            positions[t] = startPos + t;
        }
        for (int l = 0; l < layers; l++) {
            for (int t = 0; t < tokens; t++) {
                for (int e = 0; e < gating.expertCount(); e++) {
                    logits[l][t][e] = (float) r.nextGaussian();
                }
                // any count from 0 (every expert dropped) to more than the model's k
                int n = r.nextInt(gating.expertsPerToken() + 3);
                int[] experts = r.ints(0, gating.expertCount()).distinct().limit(n).toArray();
                float[] weights = new float[n];
                for (int i = 0; i < n; i++) {
                    weights[i] = (float) r.nextDouble();
                }
                selections[l][t] = new ExpertSelection(experts, weights);
            }
        }
        return new Batch(positions, logits, selections);
    }

    private static void feed(RoutingListener listener, Batch b) {
        for (int l = 0; l < b.logits.length; l++) {
            listener.onRouting(l, b.positions, b.logits[l], b.selections[l]);
        }
    }

    private static float half(float v) {
        return Float.float16ToFloat(Float.floatToFloat16(v));
    }

    private void roundTrips(int experts) throws IOException {
        Gating gating = new Gating(Gating.Function.SOFTMAX, experts, 4, true);
        int layers = 3;
        SplittableRandom r = new SplittableRandom(experts);
        List<Batch> batches = List.of(randomBatch(r, gating, layers, 7, 0), randomBatch(r, gating, layers, 1, 7), randomBatch(r, gating, layers, 5, 0));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TraceWriter w = new TraceWriter(bytes, gating, layers, "tiny \"model\" ✓", "topp:0.6;ban:1/2")) {
            batches.forEach(b -> feed(w, b));
            assertThat(w.tokens()).isEqualTo(13);
        }
        try (TraceReader reader = new TraceReader(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertThat(reader.header()).isEqualTo(new TraceHeader(1, layers, experts, 4, "tiny \"model\" ✓", "topp:0.6;ban:1/2"));
            float[] probs = new float[experts];
            for (Batch b : batches) {
                for (int t = 0; t < b.positions.length; t++) {
                    TokenRoute route = reader.next();
                    assertThat(route.position()).isEqualTo(b.positions[t]);
                    for (int l = 0; l < layers; l++) {
                        ExpertSelection s = b.selections[l][t];
                        LayerRoute lr = route.layer(l);
                        assertThat(lr.experts()).containsExactly(s.experts());
                        for (int i = 0; i < s.count(); i++) {
                            assertThat(lr.weights()[i]).isEqualTo(half(s.weight(i)));
                        }
                        gating.probabilities(b.logits[l][t], probs);
                        assertThat(lr.entropy()).isEqualTo(half((float) TraceWriter.entropy(probs)));
                    }
                }
            }
            assertThat(reader.next()).isNull();
        }
    }

    @Test
    void roundTripsWithOneByteExpertIds() throws IOException {
        roundTrips(32);
    }

    @Test
    void roundTripsWithTwoByteExpertIds() throws IOException {
        roundTrips(300);
    }

    @Test
    void entropyIsInNatsOverAllExperts() {
        assertThat(TraceWriter.entropy(new float[] {0.25f, 0.25f, 0.25f, 0.25f})).isCloseTo(Math.log(4), within(1e-9));
        assertThat(TraceWriter.entropy(new float[] {1, 0, 0, 0})).isZero();
        // sigmoid gates: scaled to sum one first
        assertThat(TraceWriter.entropy(new float[] {0.9f, 0.9f})).isCloseTo(Math.log(2), within(1e-9));
    }

    @Test
    void aRecordTakesTheDocumentedBytes() throws IOException {
        Gating gating = new Gating(Gating.Function.SOFTMAX, 32, 4, true);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TraceWriter w = new TraceWriter(bytes, gating, 2, "m", "native")) {
            ExpertSelection s = new ExpertSelection(new int[] {3, 1}, new float[] {0.75f, 0.25f});
            w.onRouting(0, new int[] {0}, new float[][] {new float[32]}, new ExpertSelection[] {s});
            w.onRouting(1, new int[] {0}, new float[][] {new float[32]}, new ExpertSelection[] {s});
        }
        // header 8+2+2+2+2+1+1 + (2+1) + (2+6) = 29; token: 4 + 2 × (1 + 2 + 2×2 + 2) = 22
        assertThat(bytes.size()).isEqualTo(29 + 22);
    }

    @Test
    void readerRejectsOtherFilesAndTruncation(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> new TraceReader(new ByteArrayInputStream("GGUF....xxxxxxxxxx".getBytes())))
                .hasMessage("not a moe4j routing trace: bad magic");
        Gating gating = new Gating(Gating.Function.SOFTMAX, 8, 2, true);
        Path file = dir.resolve("t.trace");
        try (TraceWriter w = new TraceWriter(file, gating, 1, "m", "native")) {
            feed(w, randomBatch(new SplittableRandom(1), gating, 1, 3, 0));
        }
        byte[] all = Files.readAllBytes(file);
        try (TraceReader reader = new TraceReader(new ByteArrayInputStream(Arrays.copyOf(all, all.length - 3)))) {
            reader.next();
            reader.next();
            assertThatThrownBy(reader::next).hasMessage("routing trace is truncated in token 2");
        }
    }

    @Test
    void writerInsistsOnWholeBatchesInLayerOrder() throws IOException {
        Gating gating = new Gating(Gating.Function.SOFTMAX, 8, 2, true);
        Batch b = randomBatch(new SplittableRandom(2), gating, 2, 2, 0);
        TraceWriter w = new TraceWriter(new ByteArrayOutputStream(), gating, 2, "m", "native");
        assertThatThrownBy(() -> w.onRouting(1, b.positions, b.logits[1], b.selections[1]))
                .hasMessage("trace expects layers 0..1 in order for each batch, got layer 1 after -1");
        w.onRouting(0, b.positions, b.logits[0], b.selections[0]);
        assertThatThrownBy(w::close).hasMessage("trace closed in the middle of a batch (after layer 0)");
    }

    @Test
    void jsonlHasAHeaderLineThenOneLinePerToken() throws IOException {
        Gating gating = new Gating(Gating.Function.SOFTMAX, 8, 2, true);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TraceWriter w = new TraceWriter(bytes, gating, 1, "m", "topk:2")) {
            ExpertSelection s = new ExpertSelection(new int[] {5, 2}, new float[] {0.75f, 0.25f});
            w.onRouting(0, new int[] {4, 5}, new float[][] {new float[8], new float[8]}, new ExpertSelection[] {s, s});
        }
        StringWriter out = new StringWriter();
        try (TraceReader reader = new TraceReader(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertThat(TraceJsonl.export(reader, out)).isEqualTo(2);
        }
        String[] lines = out.toString().split("\n");
        assertThat(lines).hasSize(3);
        ObjectMapper json = new ObjectMapper();
        JsonNode header = json.readTree(lines[0]);
        assertThat(header.get("format").asText()).isEqualTo("moe4j-trace");
        assertThat(header.get("routing").asText()).isEqualTo("topk:2");
        assertThat(header.get("experts").asInt()).isEqualTo(8);
        JsonNode token = json.readTree(lines[2]);
        assertThat(token.get("token").asInt()).isEqualTo(1);
        assertThat(token.get("position").asInt()).isEqualTo(5);
        JsonNode layer = token.get("layers").get(0);
        assertThat(layer.get("experts").toString()).isEqualTo("[5,2]");
        assertThat(layer.get("weights").toString()).isEqualTo("[0.75,0.25]");
        assertThat(layer.get("entropy").asDouble()).isCloseTo(Math.log(8), within(1e-3));
    }

    @Test
    void aModelsTraceMatchesItsRoutingStats(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("model.trace");
        int[] tokens = {1, 17, 300, 42, 5, 99, 7, 8};
        RoutingStats stats = new RoutingStats();
        try (MoeModel model = Architectures.load(Shared.file("models/synthetic/tiny-qwen3moe-f32.gguf"));
             ComputePool pool = new ComputePool(1)) {
            List<ExpertSelection[]> seen = new ArrayList<>();
            try (TraceWriter w = new TraceWriter(file, model.config().gating(), model.config().layerCount(), model.config().name(), "topp:0.7")) {
                RoutingListener listener = RoutingListener.both(w, RoutingListener.both(stats, (l, p, g, s) -> seen.add(s)));
                KvCache cache = new KvCache(model.config(), tokens.length);
                model.forward(pool, Arrays.copyOf(tokens, 5), 0, cache, RouteSpec.parse("topp:0.7"), listener, false);
                model.forward(pool, Arrays.copyOfRange(tokens, 5, 8), 5, cache, RouteSpec.parse("topp:0.7"), listener, false);
            }
            TraceSummary summary;
            try (TraceReader reader = new TraceReader(file)) {
                assertThat(reader.header().routing()).isEqualTo("topp:0.7");
                summary = TraceSummary.of(reader);
            }
            assertThat(summary.tokens()).isEqualTo(tokens.length);
            assertThat(summary.expertsPerToken()).isCloseTo(stats.expertsPerToken(), within(1e-12));
            try (TraceReader reader = new TraceReader(file)) {
                // batch 1 layer 1 token 3 is the 4th token's second layer
                assertThat(reader.next().position()).isZero();
                reader.next();
                reader.next();
                assertThat(reader.next().layer(1).experts()).containsExactly(seen.get(1)[3].experts());
            }
        }
    }
}
