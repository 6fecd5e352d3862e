package io.moe4j.tensor;

import io.moe4j.gguf.GgmlType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleSupplier;

import static org.assertj.core.api.Assertions.fail;

/** Random blocks, random vectors and the shared model files for the tensor tests. */
final class TestData {
    /** Every type with a format; the tests cover each. */
    static final List<GgmlType> TYPES = List.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0,
            GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K);

    private TestData() {
    }

    /** Byte offsets of the fp16 scale fields in one block of {@code type}. */
    static int[] halfFields(GgmlType type) {
        return switch (type) {
            case F16, Q8_0, Q4_0, Q5_0 -> new int[] {0};
            case Q4_1, Q5_1, Q4_K, Q5_K -> new int[] {0, 2};
            case Q6_K -> new int[] {208};
            default -> new int[0];
        };
    }

    /**
     * {@code blocks} blocks of random bytes with every fp16 field set from {@code scale} (a float, rounded to
     * fp16) or, when {@code scale} is null, to random finite fp16 bits (subnormals and negatives included,
     * NaN and infinities excluded). Plain types get random finite values.
     */
    static byte[] randomBlocks(GgmlType type, int blocks, Random rnd, DoubleSupplier scale) {
        int bb = type.bytesPerBlock();
        byte[] data = new byte[blocks * bb];
        rnd.nextBytes(data);
        for (int b = 0; b < blocks; b++) {
            int at = b * bb;
            switch (type) {
                case F32 -> {
                    int bits = scale == null ? finiteBits(rnd, 0x7F800000) : Float.floatToIntBits((float) scale.getAsDouble());
                    Bits.putU32(data, at, bits);
                }
                case BF16 -> {
                    int bits = scale == null ? finiteBits(rnd, 0x7F80) : Bits.floatToBf16((float) scale.getAsDouble());
                    Bits.putU16(data, at, (short) bits);
                }
                default -> {
                    for (int f : halfFields(type)) {
                        short h = scale == null ? (short) finiteBits(rnd, 0x7C00) : Float.floatToFloat16((float) scale.getAsDouble());
                        Bits.putU16(data, at + f, h);
                    }
                }
            }
        }
        return data;
    }

    /** Random bits whose exponent field ({@code expMask}) is not all ones: no NaN, no infinity. */
    private static int finiteBits(Random rnd, int expMask) {
        while (true) {
            int bits = rnd.nextInt();
            if ((bits & expMask) != expMask) {
                return bits;
            }
        }
    }

    static float[] gaussian(Random rnd, int n, double sigma) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextGaussian() * sigma);
        }
        return x;
    }

    static Path model(String relative) {
        return io.moe4j.testing.Shared.file("models/" + relative);
    }
}
