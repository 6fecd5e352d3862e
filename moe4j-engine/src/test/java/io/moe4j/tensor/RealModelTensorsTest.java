package io.moe4j.tensor;

import io.moe4j.gguf.GgmlType;
import io.moe4j.gguf.GgufFile;
import io.moe4j.gguf.GgufTensorInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real tensors written by llama.cpp: each quantized file is checked against the unquantized file of the same
 * model. This catches layout mistakes that the random-block tests could share with the reference decoder
 * (both written from the same reading of ggml), because a mis-read layout cannot land close to the source.
 */
class RealModelTensorsTest {
    /** Elements compared per tensor: enough blocks to be meaningful, few enough to stay quick. */
    private static final int SAMPLE = 256 * 256;

    /** Relative RMS error each type may show against its source: a few times above what it typically gives. */
    private static final Map<GgmlType, Double> MAX_RELATIVE_RMS = new EnumMap<>(Map.of(
            GgmlType.Q8_0, 0.01, GgmlType.Q6_K, 0.03, GgmlType.Q5_0, 0.06, GgmlType.Q5_1, 0.06, GgmlType.Q5_K, 0.06,
            GgmlType.Q4_K, 0.10, GgmlType.Q4_0, 0.12, GgmlType.Q4_1, 0.12));

    @ParameterizedTest(name = "{1} vs {0}")
    @CsvSource({
            "tiny-code-moe/tiny-code-moe-f16.gguf, tiny-code-moe/tiny-code-moe-q4_k_m.gguf, 'Q4_K,Q5_0,Q6_K,Q8_0'",
            "tiny-code-moe/tiny-code-moe-f16.gguf, tiny-code-moe/tiny-code-moe-q8_0.gguf, Q8_0",
            "synthetic/tiny-qwen3moe-f32.gguf, synthetic/tiny-qwen3moe-q4_0.gguf, Q4_0"})
    void quantizedTensorsDecodeCloseToTheirSourceAndRequantizeToTheSameBytes(String source, String quantized, String types) {
        Set<GgmlType> seen = EnumSet.noneOf(GgmlType.class);
        try (GgufFile src = GgufFile.open(TestData.model(source)); GgufFile q = GgufFile.open(TestData.model(quantized))) {
            for (GgufTensorInfo t : q.tensors()) {
                if (!t.type().isQuantized()) {
                    continue;
                }
                GgufTensorInfo s = src.tensor(t.name());
                assertThat(s.shape()).as(t.name()).isEqualTo(t.shape());
                assertThat(s.type()).as(t.name()).isIn(GgmlType.F16, GgmlType.F32);
                seen.add(t.type());

                int n = (int) Math.min(t.elementCount(), SAMPLE);
                float[] reference = new float[n];
                float[] decoded = new float[n];
                BlockFormats.of(s.type()).dequantize(src.tensorData(s), 0, reference, 0, n);
                BlockFormats.of(t.type()).dequantize(q.tensorData(t), 0, decoded, 0, n);
                assertThat(QuantizeRoundTripTest.relativeRms(reference, decoded))
                        .as("%s (%s) relative RMS error against %s", t.name(), t.type(), source)
                        .isLessThan(MAX_RELATIVE_RMS.get(t.type()));

                // llama-quantize without an imatrix uses ggml's reference quantizers, which ours follow operation
                // for operation: re-quantizing the source must give the file's bytes.
                MemorySegment ours = BlockFormats.quantizer(t.type()).quantize(reference);
                MemorySegment theirs = q.tensorData(t).asSlice(0, ours.byteSize());
                long mismatch = ours.mismatch(theirs);
                assertThat(mismatch)
                        .as("%s (%s): first differing byte (block %d) of our quantization vs llama-quantize's",
                                t.name(), t.type(), mismatch / t.type().bytesPerBlock())
                        .isEqualTo(-1L);
            }
        }
        for (String type : types.split(",")) {
            assertThat(seen).as("quantized types found in " + quantized).contains(GgmlType.valueOf(type));
        }
    }

    @Test
    void weightViewsOverARealExpertStackComputeWithTheFormat() {
        try (GgufFile f16 = GgufFile.open(TestData.model("tiny-code-moe/tiny-code-moe-f16.gguf"));
             GgufFile q = GgufFile.open(TestData.model("tiny-code-moe/tiny-code-moe-q4_k_m.gguf"))) {
            // ffn_down_exps is Q5_0 in this file: 32 experts of 256 rows x 128 columns.
            WeightMatrix[] experts = new Weights(q).stack("blk.0.ffn_down_exps.weight", 32, 256, 128);
            WeightMatrix[] exact = new Weights(f16).stack("blk.0.ffn_down_exps.weight", 32, 256, 128);
            assertThat(experts[0].format().type()).isEqualTo(GgmlType.Q5_0);

            float[] x = TestData.gaussian(new java.util.Random(2), 128, 1.0);
            float[] out = new float[256];
            float[] outExact = new float[256];
            experts[17].matVec(x, 0, out, 0, 0, 256);
            exact[17].matVec(x, 0, outExact, 0, 0, 256);
            assertThat(QuantizeRoundTripTest.relativeRms(outExact, out)).isLessThan(0.06);

            float[] row = new float[128];
            experts[17].dequantizeRow(200, row, 0);
            double dot = 0;
            for (int i = 0; i < 128; i++) {
                dot += (double) row[i] * x[i];
            }
            assertThat((double) out[200]).isCloseTo(dot, org.assertj.core.data.Offset.offset(1e-4 * Math.abs(dot) + 1e-5));
        }
    }
}
