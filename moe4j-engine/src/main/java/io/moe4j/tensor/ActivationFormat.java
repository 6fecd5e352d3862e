package io.moe4j.tensor;

import io.moe4j.gguf.GgmlType;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * The precision llama.cpp gives activations before multiplying them with weights of a given type (its
 * "vec_dot_type"): 8-bit blocks for quantized weights, F16 for F16 weights. Rounding our activations the
 * same way and then multiplying in float reproduces llama.cpp's products up to the order of summation,
 * because its integer block dot products equal the float products of the rounded values exactly.
 */
public enum ActivationFormat {
    F32(1),
    F16(1),
    BF16(1),
    /** 32 values, fp16 scale amax/127, round half to even (llama.cpp's x86 quantize_row_q8_0). */
    Q8_0(32),
    /** 256 values, f32 scale from the signed extreme, round half to even. */
    Q8_K(256);

    private final int blockSize;

    ActivationFormat(int blockSize) {
        this.blockSize = blockSize;
    }

    public static ActivationFormat forWeights(GgmlType type) {
        return switch (type) {
            case F16 -> F16;
            case BF16 -> BF16;
            case Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1, IQ4_NL -> Q8_0;
            case Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K, IQ4_XS -> Q8_K;
            default -> F32;
        };
    }

    /** Writes the rounded values of {@code src[srcOffset..+n)} to {@code dst[dstOffset..]}; n is a multiple of the block size. */
    public void round(float[] src, int srcOffset, float[] dst, int dstOffset, int n) {
        switch (this) {
            case F32 -> System.arraycopy(src, srcOffset, dst, dstOffset, n);
            case F16 -> VectorMath.roundToHalf(src, srcOffset, dst, dstOffset, n);
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    dst[dstOffset + i] = Bits.bf16ToFloat(Bits.floatToBf16(src[srcOffset + i]));
                }
            }
            case Q8_0, Q8_K -> {
                for (int b = 0; b < n; b += blockSize) {
                    int at = dstOffset + b;
                    float scale = this == Q8_0 ? quantizeQ8_0(src, srcOffset + b, dst, at) : quantizeQ8_K(src, srcOffset + b, dst, at);
                    scaleBlock(dst, at, scale, dst, at);
                }
            }
        }
    }

    /** Whether this format holds integer codes and a scale per block (and {@link #quantize} writes scales). */
    public boolean isBlockQuantized() {
        return this == Q8_0 || this == Q8_K;
    }

    /**
     * For the 8-bit formats: writes the integer codes of {@code src[srcOffset..+n)} (as floats) to
     * {@code codes[codesOffset..]} and one scale per block to {@code scales[scalesOffset..]}, so that
     * code*scale is the rounded value. Other formats write their rounded values as codes and no scales.
     */
    public void quantize(float[] src, int srcOffset, float[] codes, int codesOffset, float[] scales, int scalesOffset, int n) {
        switch (this) {
            case Q8_0 -> {
                for (int b = 0; b < n; b += blockSize) {
                    scales[scalesOffset + b / blockSize] = quantizeQ8_0(src, srcOffset + b, codes, codesOffset + b);
                }
            }
            case Q8_K -> {
                for (int b = 0; b < n; b += blockSize) {
                    scales[scalesOffset + b / blockSize] = quantizeQ8_K(src, srcOffset + b, codes, codesOffset + b);
                }
            }
            default -> round(src, srcOffset, codes, codesOffset, n);
        }
    }

    /**
     * The values that {@link #quantize}'s codes and scales stand for, into {@code dst[dstOffset..+n)}: for the 8-bit
     * formats each code times its block's scale, the same products {@link #round} makes; other formats' codes are
     * their values, copied.
     */
    public void scaleBack(float[] codes, int codesOffset, float[] scales, int scalesOffset, float[] dst, int dstOffset, int n) {
        if (!isBlockQuantized()) {
            System.arraycopy(codes, codesOffset, dst, dstOffset, n);
            return;
        }
        for (int b = 0; b < n; b += blockSize) {
            scaleBlock(codes, codesOffset + b, scales[scalesOffset + b / blockSize], dst, dstOffset + b);
        }
    }

    /** {@code dst[dstAt + i] = codes[at + i] * scale} for one block. */
    private void scaleBlock(float[] codes, int at, float scale, float[] dst, int dstAt) {
        FloatVector s = FloatVector.broadcast(Lanes.FLOATS, scale);
        for (int i = 0; i < blockSize; i += Lanes.LENGTH) {
            FloatVector.fromArray(Lanes.FLOATS, codes, at + i).mul(s).intoArray(dst, dstAt + i);
        }
    }

    public int blockSize() {
        return blockSize;
    }

    /**
     * In vectors, bit for bit the scalar {@code amax}, {@code rint(x * 127/amax)} and fp16 scale: the maximum is
     * exact in any order, the product is the same float product, and adding then subtracting 1.5·2^23 rounds to
     * the nearest integer, ties to even, as {@code rint} does for values this small (the sign copied back keeps
     * its -0.0).
     */
    private static float quantizeQ8_0(float[] x, int o, float[] codes, int c0) {
        float amax = absMax(x, o, 32);
        float dh = Float.float16ToFloat(Float.floatToFloat16(amax / 127f));
        float id = amax != 0f ? 127f / amax : 0f;
        for (int i = 0; i < 32; i += Lanes.LENGTH) {
            FloatVector v = FloatVector.fromArray(Lanes.FLOATS, x, o + i).mul(id);
            FloatVector rounded = v.add(ROUNDING).sub(ROUNDING);
            rounded.reinterpretAsInts().or(v.reinterpretAsInts().and(0x80000000)).reinterpretAsFloats().intoArray(codes, c0 + i);
        }
        return dh;
    }

    private static final float ROUNDING = 0x1.8p23f;

    /** The largest magnitude of {@code x[o..o+n)}, n a multiple of the vector length; exact in any order. */
    private static float absMax(float[] x, int o, int n) {
        FloatVector amaxes = FloatVector.zero(Lanes.FLOATS);
        for (int i = 0; i < n; i += Lanes.LENGTH) {
            amaxes = amaxes.max(FloatVector.fromArray(Lanes.FLOATS, x, o + i).abs());
        }
        return amaxes.reduceLanes(VectorOperators.MAX);
    }

    /**
     * llama.cpp's {@code quantize_row_q8_K} for one block: the scale from the first value of largest magnitude, with
     * its sign, and {@code min(127, nearest_int(x * -127/max))}. In vectors, bit for bit the scalar loop: the same
     * float products, and {@link QuantMath#nearestInt}'s rounding by adding 1.5·2^23. A block holding a NaN gets
     * meaningless codes, as in llama.cpp.
     */
    private static float quantizeQ8_K(float[] x, int o, float[] codes, int c0) {
        float amax = absMax(x, o, 256);
        if (amax == 0f) {
            java.util.Arrays.fill(codes, c0, c0 + 256, 0f);
            return 0f;
        }
        float max = 0f;
        for (int i = 0; i < 256; i += Lanes.LENGTH) {
            VectorMask<Float> largest = FloatVector.fromArray(Lanes.FLOATS, x, o + i).abs().compare(VectorOperators.EQ, amax);
            if (largest.anyTrue()) {
                max = x[o + i + largest.firstTrue()];
                break;
            }
        }
        float iscale = -127f / max;
        for (int i = 0; i < 256; i += Lanes.LENGTH) {
            IntVector rounded = FloatVector.fromArray(Lanes.FLOATS, x, o + i).mul(iscale).add(ROUNDING).reinterpretAsInts()
                    .and(0x007FFFFF).sub(0x00400000).min(127);
            ((FloatVector) rounded.convert(VectorOperators.I2F, 0)).intoArray(codes, c0 + i);
        }
        return 1f / iscale;
    }
}
