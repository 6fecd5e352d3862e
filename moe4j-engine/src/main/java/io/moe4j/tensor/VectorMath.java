package io.moe4j.tensor;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Float-vector primitives used by the model: dot products, scaled adds, RMS norm, softmax. */
public final class VectorMath {
    /** The decoders' float vectors ({@link Lanes}): the machine's widest, at least 128 bits. */
    static final VectorSpecies<Float> F = Lanes.FLOATS;

    private VectorMath() {
    }

    /** Two accumulators, so that consecutive multiply-adds do not wait on each other. */
    public static float dot(float[] a, int aOffset, float[] b, int bOffset, int n) {
        int i = 0;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = acc0;
        int step = F.length();
        for (; i + 2 * step <= n; i += 2 * step) {
            acc0 = FloatVector.fromArray(F, a, aOffset + i).fma(FloatVector.fromArray(F, b, bOffset + i), acc0);
            acc1 = FloatVector.fromArray(F, a, aOffset + i + step).fma(FloatVector.fromArray(F, b, bOffset + i + step), acc1);
        }
        for (; i + step <= n; i += step) {
            acc0 = FloatVector.fromArray(F, a, aOffset + i).fma(FloatVector.fromArray(F, b, bOffset + i), acc0);
        }
        float sum = Lanes.sum(acc0.add(acc1));
        for (; i < n; i++) {
            sum += a[aOffset + i] * b[bOffset + i];
        }
        return sum;
    }

    /**
     * Positions per block of keys laid out for {@link #blockDots}: 16, or a vector's length where that is longer, so
     * that a block is whole vectors.
     */
    public static final int KEY_BLOCK = Math.max(16, F.length());

    /** {@code n} rounded up to whole {@link #KEY_BLOCK}s. */
    public static int wholeKeyBlocks(int n) {
        return (n + KEY_BLOCK - 1) / KEY_BLOCK * KEY_BLOCK;
    }

    /** Elements of a head that llama.cpp's F16 dot product sums in one pass of its four 16-lane accumulators. */
    private static final int GGML_DOT_STEP = 64;

    /**
     * {@code out[p] = scale * (a[aOffset ..+n) · key p)} for every {@code p} of the blocks that hold the first
     * {@code count} keys (so {@link #wholeKeyBlocks}{@code (count)} scores; those past {@code count} come from whatever
     * lies there). Keys lie in blocks of {@link #KEY_BLOCK} from {@code offset}, {@code KEY_BLOCK * n} floats each,
     * element d of the block's keys side by side at {@code d * KEY_BLOCK}: an attention head's scores over its
     * cached keys, a vector of scores (one per key) per operation. Row by row, each key's dot product ended in a
     * reduction across the vector that cost more than its multiply-adds (head size 64).
     *
     * <p>Each score is summed in the order of llama.cpp's F16 dot product on AVX-512 ({@code ggml_vec_dot_f16}), which
     * its flash attention calls for F16 keys, so that quantized models, whose other sums are exact, keep matching its
     * logits to the last bit: for element {@code d = 64i + 16j + l}, chains over {@code i} (a product, then multiply-adds)
     * per {@code (j, l)}; accumulators {@code (j0 + j2) + (j1 + j3)}; lanes reduced pairwise l + l+8, l + l+4, l + l+2,
     * l + l+1; the elements past the last multiple of 64 added one by one in double. Keys and query hold F16 values, so
     * every product is exact in float. Summed in another order, one synthetic fixture's logits moved 0.15 from llama.cpp's.
     * {@code lanes}: scratch of {@link #BLOCK_DOTS_SCRATCH} floats.
     */
    public static void blockDots(float[] a, int aOffset, float[] keys, int offset, int n, int count, float scale, float[] out,
                                 float[] lanes) {
        int blocks = (count + KEY_BLOCK - 1) / KEY_BLOCK;
        int chains = n / GGML_DOT_STEP;
        int step = F.length();
        for (int b = 0; b < blocks; b++) {
            int base = offset + b * KEY_BLOCK * n;
            int first = b * KEY_BLOCK;
            if (chains > 0) {
                for (int lane = 0; lane < KEY_BLOCK; lane += step) {
                    ggmlSums(a, aOffset, keys, base + lane, chains, lanes, out, first + lane);
                }
            }
            if (chains * GGML_DOT_STEP < n) {
                for (int p = 0; p < KEY_BLOCK; p++) {
                    double sum = chains > 0 ? out[first + p] : 0.0;
                    for (int d = chains * GGML_DOT_STEP; d < n; d++) {
                        sum += keys[base + d * KEY_BLOCK + p] * a[aOffset + d];
                    }
                    out[first + p] = (float) sum;
                }
            }
            for (int lane = 0; lane < KEY_BLOCK; lane += step) {
                FloatVector.fromArray(F, out, first + lane).mul(scale).intoArray(out, first + lane);
            }
        }
    }

    /** Floats of scratch that {@link #blockDots} needs: a vector for each of ggml's 16 lanes. */
    public static final int BLOCK_DOTS_SCRATCH = 16 * F.length();

    /**
     * The multiples of 64 elements of {@link #blockDots}'s sums for a vector of keys from {@code at}, into
     * {@code out[outOffset..]}: each of ggml's lanes l, its four chains added (j0 + j2) + (j1 + j3), into a row of
     * {@code lanes}; then the rows reduced pairwise, l + l+8 first. Through the scratch rows rather than vectors held
     * across iterations in variables: the JIT allocated those (100 KB per decoded token, DecodeAllocationTest).
     */
    private static void ggmlSums(float[] a, int aOffset, float[] keys, int at, int chains, float[] lanes,
                                 float[] out, int outOffset) {
        int step = F.length();
        for (int l = 0; l < 16; l++) {
            FloatVector c0 = FloatVector.fromArray(F, keys, at + l * KEY_BLOCK).mul(a[aOffset + l]);
            FloatVector c1 = FloatVector.fromArray(F, keys, at + (l + 16) * KEY_BLOCK).mul(a[aOffset + l + 16]);
            FloatVector c2 = FloatVector.fromArray(F, keys, at + (l + 32) * KEY_BLOCK).mul(a[aOffset + l + 32]);
            FloatVector c3 = FloatVector.fromArray(F, keys, at + (l + 48) * KEY_BLOCK).mul(a[aOffset + l + 48]);
            for (int i = 1; i < chains; i++) {
                int d = l + i * GGML_DOT_STEP;
                c0 = FloatVector.fromArray(F, keys, at + d * KEY_BLOCK).fma(FloatVector.broadcast(F, a[aOffset + d]), c0);
                c1 = FloatVector.fromArray(F, keys, at + (d + 16) * KEY_BLOCK).fma(FloatVector.broadcast(F, a[aOffset + d + 16]), c1);
                c2 = FloatVector.fromArray(F, keys, at + (d + 32) * KEY_BLOCK).fma(FloatVector.broadcast(F, a[aOffset + d + 32]), c2);
                c3 = FloatVector.fromArray(F, keys, at + (d + 48) * KEY_BLOCK).fma(FloatVector.broadcast(F, a[aOffset + d + 48]), c3);
            }
            c0.add(c2).add(c1.add(c3)).intoArray(lanes, l * step);
        }
        for (int width = 8; width >= 1; width >>= 1) {
            for (int l = 0; l < width; l++) {
                FloatVector.fromArray(F, lanes, l * step).add(FloatVector.fromArray(F, lanes, (l + width) * step))
                        .intoArray(lanes, l * step);
            }
        }
        System.arraycopy(lanes, 0, out, outOffset, step);
    }


    /**
     * {@code log(sum exp(x))}, shifted by the maximum so that no term overflows: exponentials of a vector
     * at a time in float (each within an ulp), their sums added in double.
     */
    public static double logSumExp(float[] x) {
        int n = x.length;
        int upper = F.loopBound(n);
        FloatVector m = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < upper; i += F.length()) {
            m = m.max(FloatVector.fromArray(F, x, i));
        }
        float max = m.reduceLanes(VectorOperators.MAX);
        for (int i = upper; i < n; i++) {
            max = Math.max(max, x[i]);
        }
        FloatVector shift = FloatVector.broadcast(F, max);
        double sum = 0;
        for (int i = 0; i < upper; i += F.length()) {
            sum += Lanes.sum(FloatVector.fromArray(F, x, i).sub(shift).lanewise(VectorOperators.EXP));
        }
        for (int i = upper; i < n; i++) {
            sum += Math.exp(x[i] - max);
        }
        return max + Math.log(sum);
    }

    /**
     * The sixteen dot products of four rows with four vectors, {@code out[4*i + j] = a_i · x_j}, where row i is
     * {@code a[i*n .. (i+1)*n)}: per step eight vector loads feed sixteen multiply-adds (two rows take six
     * loads for eight), and loads, not multiply-adds, are what limit this loop on the machines we measured.
     */
    public static void dot4x4(float[] a, int n, float[] x0, float[] x1, float[] x2, float[] x3, float[] out) {
        FloatVector s00 = FloatVector.zero(F), s01 = s00, s02 = s00, s03 = s00;
        FloatVector s10 = s00, s11 = s00, s12 = s00, s13 = s00;
        FloatVector s20 = s00, s21 = s00, s22 = s00, s23 = s00;
        FloatVector s30 = s00, s31 = s00, s32 = s00, s33 = s00;
        int i = 0;
        int upper = F.loopBound(n);
        for (; i < upper; i += F.length()) {
            FloatVector w0 = FloatVector.fromArray(F, a, i);
            FloatVector w1 = FloatVector.fromArray(F, a, n + i);
            FloatVector w2 = FloatVector.fromArray(F, a, 2 * n + i);
            FloatVector w3 = FloatVector.fromArray(F, a, 3 * n + i);
            FloatVector v = FloatVector.fromArray(F, x0, i);
            s00 = w0.fma(v, s00);
            s10 = w1.fma(v, s10);
            s20 = w2.fma(v, s20);
            s30 = w3.fma(v, s30);
            v = FloatVector.fromArray(F, x1, i);
            s01 = w0.fma(v, s01);
            s11 = w1.fma(v, s11);
            s21 = w2.fma(v, s21);
            s31 = w3.fma(v, s31);
            v = FloatVector.fromArray(F, x2, i);
            s02 = w0.fma(v, s02);
            s12 = w1.fma(v, s12);
            s22 = w2.fma(v, s22);
            s32 = w3.fma(v, s32);
            v = FloatVector.fromArray(F, x3, i);
            s03 = w0.fma(v, s03);
            s13 = w1.fma(v, s13);
            s23 = w2.fma(v, s23);
            s33 = w3.fma(v, s33);
        }
        // the sixteen lane sums in a loop over stored accumulators: written out, they pass the JIT's inlining
        // node limit, and a lane sum compiled on its own receives each accumulator boxed
        int l = F.length();
        s00.intoArray(out, 0);
        s01.intoArray(out, l);
        s02.intoArray(out, 2 * l);
        s03.intoArray(out, 3 * l);
        s10.intoArray(out, 4 * l);
        s11.intoArray(out, 5 * l);
        s12.intoArray(out, 6 * l);
        s13.intoArray(out, 7 * l);
        s20.intoArray(out, 8 * l);
        s21.intoArray(out, 9 * l);
        s22.intoArray(out, 10 * l);
        s23.intoArray(out, 11 * l);
        s30.intoArray(out, 12 * l);
        s31.intoArray(out, 13 * l);
        s32.intoArray(out, 14 * l);
        s33.intoArray(out, 15 * l);
        for (int k = 0; k < 16; k++) {
            // sum k is written at index k, below every accumulator still to be read
            out[k] = Lanes.sum(FloatVector.fromArray(F, out, k * l));
        }
        for (; i < n; i++) {
            for (int r = 0; r < 4; r++) {
                float w = a[r * n + i];
                out[4 * r] += w * x0[i];
                out[4 * r + 1] += w * x1[i];
                out[4 * r + 2] += w * x2[i];
                out[4 * r + 3] += w * x3[i];
            }
        }
    }

    /**
     * Products of a transposed panel of {@code 2*F.length()} rows and {@code cols} columns ({@code panel[k*P + i]}
     * is value k of row i) with four vectors: {@code out_j[outOffset + i] (+)= row_i · x_j[xOffset..]}, added to
     * what out holds if {@code accumulate}. Each step loads two vectors of the panel and broadcasts one value of
     * each x: eight independent multiply-add chains and no horizontal sums.
     */
    public static void panelTimes4(float[] panel, int cols, float[] x0, float[] x1, float[] x2, float[] x3, int xOffset,
                                   float[] out0, float[] out1, float[] out2, float[] out3, int outOffset, boolean accumulate) {
        int step = F.length();
        int p = 2 * step;
        FloatVector a0 = FloatVector.zero(F), b0 = a0, a1 = a0, b1 = a0, a2 = a0, b2 = a0, a3 = a0, b3 = a0;
        if (accumulate) {
            a0 = FloatVector.fromArray(F, out0, outOffset);
            b0 = FloatVector.fromArray(F, out0, outOffset + step);
            a1 = FloatVector.fromArray(F, out1, outOffset);
            b1 = FloatVector.fromArray(F, out1, outOffset + step);
            a2 = FloatVector.fromArray(F, out2, outOffset);
            b2 = FloatVector.fromArray(F, out2, outOffset + step);
            a3 = FloatVector.fromArray(F, out3, outOffset);
            b3 = FloatVector.fromArray(F, out3, outOffset + step);
        }
        for (int k = 0; k < cols; k++) {
            FloatVector lo = FloatVector.fromArray(F, panel, k * p);
            FloatVector hi = FloatVector.fromArray(F, panel, k * p + step);
            FloatVector v = FloatVector.broadcast(F, x0[xOffset + k]);
            a0 = lo.fma(v, a0);
            b0 = hi.fma(v, b0);
            v = FloatVector.broadcast(F, x1[xOffset + k]);
            a1 = lo.fma(v, a1);
            b1 = hi.fma(v, b1);
            v = FloatVector.broadcast(F, x2[xOffset + k]);
            a2 = lo.fma(v, a2);
            b2 = hi.fma(v, b2);
            v = FloatVector.broadcast(F, x3[xOffset + k]);
            a3 = lo.fma(v, a3);
            b3 = hi.fma(v, b3);
        }
        a0.intoArray(out0, outOffset);
        b0.intoArray(out0, outOffset + step);
        a1.intoArray(out1, outOffset);
        b1.intoArray(out1, outOffset + step);
        a2.intoArray(out2, outOffset);
        b2.intoArray(out2, outOffset + step);
        a3.intoArray(out3, outOffset);
        b3.intoArray(out3, outOffset + step);
    }

    /** {@link #panelTimes4} for one vector. */
    public static void panelTimes1(float[] panel, int cols, float[] x, int xOffset, float[] out, int outOffset, boolean accumulate) {
        int step = F.length();
        int p = 2 * step;
        FloatVector a = accumulate ? FloatVector.fromArray(F, out, outOffset) : FloatVector.zero(F);
        FloatVector b = accumulate ? FloatVector.fromArray(F, out, outOffset + step) : FloatVector.zero(F);
        for (int k = 0; k < cols; k++) {
            FloatVector v = FloatVector.broadcast(F, x[xOffset + k]);
            a = FloatVector.fromArray(F, panel, k * p).fma(v, a);
            b = FloatVector.fromArray(F, panel, k * p + step).fma(v, b);
        }
        a.intoArray(out, outOffset);
        b.intoArray(out, outOffset + step);
    }

    /** {@code y[yOffset..] += a * x[xOffset..]} over n values. */
    public static void axpy(float a, float[] x, int xOffset, float[] y, int yOffset, int n) {
        int i = 0;
        int upper = F.loopBound(n);
        FloatVector va = FloatVector.broadcast(F, a);
        for (; i < upper; i += F.length()) {
            FloatVector.fromArray(F, x, xOffset + i).fma(va, FloatVector.fromArray(F, y, yOffset + i)).intoArray(y, yOffset + i);
        }
        for (; i < n; i++) {
            y[yOffset + i] += a * x[xOffset + i];
        }
    }

    /** Doubles in vectors of the float vectors' width: a float vector's squares widen into two of them. */
    private static final VectorSpecies<Double> DOUBLES = VectorSpecies.of(double.class, F.vectorShape());

    /**
     * RMS normalisation as ggml computes it: the squares in float, their mean accumulated in double, then
     * {@code out = x * (1/sqrt(mean + eps)) * weight}. The squares are summed in vectors of doubles rather than one
     * after the other as ggml does: the double sum's order moves it by about 1e-16 of itself, which its rounding to a
     * float mean hides but for about one input in ten million (then by an ulp). One after the other, each addition
     * waited for the last, and an olmoe decode step's 80 norms of 2048 values (layers' and whole-q/k norms) took 2.3
     * µs each on the calling thread while the other waited.
     */
    public static void rmsNorm(float[] x, int xOffset, float[] weight, float eps, float[] out, int outOffset, int n) {
        float scale = (float) (1.0 / Math.sqrt(meanSquare(x, xOffset, n) + eps));
        int i = 0;
        int upper = F.loopBound(n);
        for (; i < upper; i += F.length()) {
            FloatVector.fromArray(F, x, xOffset + i).mul(scale).mul(FloatVector.fromArray(F, weight, i)).intoArray(out, outOffset + i);
        }
        for (; i < n; i++) {
            out[outOffset + i] = x[xOffset + i] * scale * weight[i];
        }
    }

    /** The mean of {@code x[offset..offset+n)}'s squares, each square a float, summed in double, rounded to float. */
    static float meanSquare(float[] x, int offset, int n) {
        int i = 0;
        double sum = 0;
        if (Lanes.NATIVE) {
            int upper = F.loopBound(n);
            DoubleVector low = DoubleVector.zero(DOUBLES);
            DoubleVector high = low;
            for (; i < upper; i += F.length()) {
                FloatVector v = FloatVector.fromArray(F, x, offset + i);
                FloatVector squares = v.mul(v);
                low = low.add((DoubleVector) squares.convertShape(VectorOperators.F2D, DOUBLES, 0));
                high = high.add((DoubleVector) squares.convertShape(VectorOperators.F2D, DOUBLES, 1));
            }
            sum = low.add(high).reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            float v = x[offset + i];
            sum += v * v;
        }
        return (float) (sum / n);
    }

    /** {@code n} rounded up to whole vectors: the length {@link #expOfWhole} needs of its arrays. */
    public static int wholeVectors(int n) {
        return (n + F.length() - 1) / F.length() * F.length();
    }

    /**
     * {@code out[i] = exp(x[i])} for {@code i < n}, a vector at a time over {@link #wholeVectors}{@code (n)} values
     * (the lanes past {@code n} are computed from whatever lies there). Each value within an ulp, and the same
     * wherever it falls in a vector: no scalar tail that would round it differently. A scalar {@code Math.exp} call
     * costs about 4.4 ns, this 0.3 ns a value (2026-11-30, this VM).
     */
    public static void expOfWhole(float[] x, float[] out, int n) {
        for (int i = 0; i < n; i += F.length()) {
            FloatVector.fromArray(F, x, i).lanewise(VectorOperators.EXP).intoArray(out, i);
        }
    }

    /** In-place softmax of {@code x[offset..offset+n)}; returns nothing, the values sum to 1 afterwards. */
    public static void softmax(float[] x, int offset, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[offset + i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float e = (float) Math.exp(x[offset + i] - max);
            x[offset + i] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int i = 0; i < n; i++) {
            x[offset + i] *= inv;
        }
    }

    /**
     * {@code y = toHalf(y + a * x)} element-wise, with one rounding of the fused multiply-add to float and
     * then one to half precision: the update of an F16 accumulator as ggml's {@code ggml_vec_mad_f16} does it.
     */
    public static void axpyHalf(float a, float[] x, int xOffset, float[] y, int yOffset, int n) {
        int i = 0;
        int upper = F.loopBound(n);
        FloatVector va = FloatVector.broadcast(F, a);
        for (; i < upper; i += F.length()) {
            FloatVector r = FloatVector.fromArray(F, x, xOffset + i).fma(va, FloatVector.fromArray(F, y, yOffset + i));
            toHalf(r).intoArray(y, yOffset + i);
        }
        for (; i < n; i++) {
            y[yOffset + i] = toHalf(Math.fma(x[xOffset + i], a, y[yOffset + i]));
        }
    }

    /**
     * {@link #axpyHalf} into two accumulators from the same {@code x}: {@code y = toHalf(y + a * x)} and
     * {@code z = toHalf(z + b * x)}, each rounded as axpyHalf rounds it (two attention heads over the same values).
     */
    public static void axpyHalfPair(float a, float b, float[] x, int xOffset, float[] y, float[] z, int n) {
        int i = 0;
        int upper = F.loopBound(n);
        FloatVector va = FloatVector.broadcast(F, a);
        FloatVector vb = FloatVector.broadcast(F, b);
        for (; i < upper; i += F.length()) {
            FloatVector v = FloatVector.fromArray(F, x, xOffset + i);
            toHalf(v.fma(va, FloatVector.fromArray(F, y, i))).intoArray(y, i);
            toHalf(v.fma(vb, FloatVector.fromArray(F, z, i))).intoArray(z, i);
        }
        for (; i < n; i++) {
            y[i] = toHalf(Math.fma(x[xOffset + i], a, y[i]));
            z[i] = toHalf(Math.fma(x[xOffset + i], b, z[i]));
        }
    }

    /** {@code x = toHalf(x * a)} element-wise (scaling an F16 accumulator). */
    public static void scaleHalf(float a, float[] x, int offset, int n) {
        int i = 0;
        int upper = F.loopBound(n);
        for (; i < upper; i += F.length()) {
            toHalf(FloatVector.fromArray(F, x, offset + i).mul(a)).intoArray(x, offset + i);
        }
        for (; i < n; i++) {
            x[offset + i] = toHalf(x[offset + i] * a);
        }
    }

    /** Rounds {@code src[srcOffset..+n)} to half precision (round to nearest even), written to {@code dst} as floats. */
    public static void roundToHalf(float[] src, int srcOffset, float[] dst, int dstOffset, int n) {
        int i = 0;
        int upper = F.loopBound(n);
        for (; i < upper; i += F.length()) {
            toHalf(FloatVector.fromArray(F, src, srcOffset + i)).intoArray(dst, dstOffset + i);
        }
        for (; i < n; i++) {
            dst[dstOffset + i] = toHalf(src[srcOffset + i]);
        }
    }

    /**
     * Whether the JIT scatters a vector's lanes in one instruction: with AVX-512's 512-bit vectors. Without (AVX2), the
     * Vector API's scatter runs as Java code that allocates each vector (2 KB per 128-element key), so the rounded
     * lanes go through a small array instead.
     */
    private static final boolean SCATTERS = F.vectorBitSize() >= 512;
    /** Where {@link #storeKeyHalves} rounds a vector of a key without a scatter. */
    private static final ThreadLocal<float[]> ROUNDED_KEY = ThreadLocal.withInitial(() -> new float[F.length()]);

    /** Lane i: i·KEY_BLOCK, where element i of a key lies in its block ({@link #storeKeyHalves}). */
    private static final int[] KEY_ELEMENTS = java.util.stream.IntStream.range(0, F.length()).map(i -> i * KEY_BLOCK).toArray();

    /**
     * {@link #roundToHalf} of a key's {@code n} elements {@code src[srcOffset..]} into its place in a block of keys
     * ({@link #blockDots}'s layout): element d at {@code dst[dstOffset + d * KEY_BLOCK]}. In vectors scattered to
     * their places: rounding one element at a time, a decode step's cache stores took 12 µs an olmoe layer
     * (2026-11-30, timed inside the engine), while the other thread waited.
     */
    public static void storeKeyHalves(float[] src, int srcOffset, float[] dst, int dstOffset, int n) {
        int i = 0;
        int upper = F.loopBound(n);
        if (SCATTERS) {
            for (; i < upper; i += F.length()) {
                toHalf(FloatVector.fromArray(F, src, srcOffset + i)).intoArray(dst, dstOffset + i * KEY_BLOCK, KEY_ELEMENTS, 0);
            }
        } else {
            float[] rounded = ROUNDED_KEY.get();
            for (; i < upper; i += F.length()) {
                toHalf(FloatVector.fromArray(F, src, srcOffset + i)).intoArray(rounded, 0);
                for (int j = 0; j < rounded.length; j++) {
                    dst[dstOffset + (i + j) * KEY_BLOCK] = rounded[j];
                }
            }
        }
        for (; i < n; i++) {
            dst[dstOffset + i * KEY_BLOCK] = toHalf(src[srcOffset + i]);
        }
    }

    /**
     * Whether the float kernels run in the machine's own vectors: false where those are narrower than 128 bits
     * ({@link Lanes}), and the kernels run as the Vector API's Java code, many times slower.
     */
    public static boolean floatVectorsNative() {
        return Lanes.NATIVE;
    }

    /** The width of the machine's vectors as the JVM uses them, in bits. */
    public static int machineVectorBits() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize();
    }

    public static float toHalf(float x) {
        return Float.float16ToFloat(Float.floatToFloat16(x));
    }

    /** Added to a float's exponent field: 2^13 times the float's binade, with a mantissa of 1.5 (see toHalf). */
    private static final int HALF_ROUNDER_OFFSET = (13 << 23) | 0x0040_0000;
    /** The rounder below the F16 normal range, whose ulp (2^-24) is the spacing of F16 subnormals, as float bits. */
    private static final int HALF_SUBNORMAL_ROUNDER = Float.floatToIntBits(0.75f);

    /**
     * Half-precision rounding of every lane, kept as floats, by adding and subtracting a rounder: for x in binade
     * [2^e, 2^(e+1)), c = 1.5 * 2^(e+13) has an ulp of 2^(e-10), F16's spacing there, so x + c rounds x to F16's
     * grid (to nearest, ties to even: c is an even multiple of that spacing) and subtracting c is exact. Below the
     * normal range c stays 0.75 (ulp 2^-24, the subnormal spacing): the larger of the two, taken on their bits, which
     * order as the floats do, both being positive (a float maximum, with Java's rules for NaN and -0, compiled to five
     * AVX-512 instructions where this is one {@code vpmaxsd}; {@link #axpyHalfPair} on 64 values ran 1.12-1.51x as
     * fast, a scratch loop, three alternating pairs of processes on the Zen 5 VM, 2026-12-02). The sign is put back for
     * zeros. Equal bit for bit to the JDK's conversion for every float of magnitude up to 65504 (all 2.4 billion of
     * them: HalfRoundingTest); beyond, values are not clamped to infinity: activations and accumulators never reach
     * them. Six vector instructions on AVX-512 (the sign's mask and merge are one {@code vpternlogd}), against twelve for
     * rounding the mantissa with integer arithmetic and blending in the subnormals.
     */
    static FloatVector toHalf(FloatVector v) {
        IntVector bits = v.reinterpretAsInts();
        FloatVector rounder = bits.and(0x7F80_0000).add(HALF_ROUNDER_OFFSET).max(HALF_SUBNORMAL_ROUNDER).reinterpretAsFloats();
        return v.add(rounder).sub(rounder).reinterpretAsInts().or(bits.and(0x8000_0000)).reinterpretAsFloats();
    }

    /**
     * {@code row[i] = silu(row[i]) * row[n + i]} for {@code i < n}, on a row holding the gate projection's outputs
     * and then the up projection's: the SwiGLU gating, in vectors (a decode step gates 8 x 1024 values per olmoe layer
     * on the calling thread while the other threads wait: done one value at a time it was a quarter of the serial work
     * between parallel operations).
     */
    public static void siluGate(float[] row, int n) {
        int upper = F.loopBound(n);
        for (int i = 0; i < upper; i += F.length()) {
            FloatVector x = FloatVector.fromArray(F, row, i);
            FloatVector denominator = x.neg().lanewise(VectorOperators.EXP).add(1f);
            x.div(denominator).mul(FloatVector.fromArray(F, row, n + i)).intoArray(row, i);
        }
        for (int i = upper; i < n; i++) {
            row[i] = silu(row[i]) * row[n + i];
        }
    }

    public static float silu(float x) {
        return x / (1f + (float) Math.exp(-x));
    }

    public static float sigmoid(float x) {
        return 1f / (1f + (float) Math.exp(-x));
    }
}
