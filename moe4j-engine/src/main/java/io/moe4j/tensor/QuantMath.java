package io.moe4j.tensor;

/**
 * The rounding helpers and scale searches of ggml's reference quantizers. They are reproduced operation for
 * operation (float arithmetic in the same order, the same rounding functions) so that files we write
 * quantize like llama-quantize's; only the dequantizers are required to be exact, but a quantizer that
 * drifts from ggml's would make our synthetic models and ggml's disagree for no good reason.
 */
final class QuantMath {
    /** ggml's GROUP_MAX_EPS: groups whose largest magnitude is below this are treated as all zero. */
    static final float GROUP_MAX_EPS = 1e-15f;

    private QuantMath() {
    }

    /**
     * ggml's {@code nearest_int}: adding 1.5*2^23 leaves the rounded integer in the low mantissa bits, so
     * ties go to even (unlike {@link Math#round}); only meaningful for |f| &lt; 2^22, as in ggml.
     */
    static int nearestInt(float f) {
        int i = Float.floatToRawIntBits(f + 12582912.f);
        return (i & 0x007FFFFF) - 0x00400000;
    }

    /** C's {@code roundf}: ties away from zero ({@link Math#round} rounds -2.5 to -2, roundf to -3). */
    static float roundf(float f) {
        // In double, |f| + 0.5 is exact, so no float just below a tie rounds up by accident.
        return (float) Math.copySign(Math.floor(Math.abs((double) f) + 0.5), f);
    }

    /** The value of largest magnitude with its sign (the first one on ties), 0 for an all-zero run. */
    static float signedAbsMax(float[] x, int o, int n) {
        float amax = 0f;
        float max = 0f;
        for (int j = 0; j < n; j++) {
            float v = x[o + j];
            if (amax < Math.abs(v)) {
                amax = Math.abs(v);
                max = v;
            }
        }
        return max;
    }

    /**
     * ggml's {@code make_qkx2_quants}: fits x ≈ scale*L - min with L in [0, nmax] and min ≥ 0, minimising
     * the weighted squared error over {@code nstep+1} trial scales around nmax/(max-min), each refined by
     * weighted least squares. Writes L to {@code l[lOffset..]}, the min to {@code theMin[minIndex]}, and
     * returns the scale.
     */
    static float makeQkx2Quants(int n, int nmax, float[] x, int xo, float[] weights, byte[] l, int lo,
                                float[] theMin, int minIndex, byte[] laux, float rmin, float rdelta, int nstep) {
        float min = x[xo];
        float max = x[xo];
        float sumW = weights[0];
        float sumX = sumW * x[xo];
        for (int i = 1; i < n; i++) {
            float v = x[xo + i];
            if (v < min) min = v;
            if (v > max) max = v;
            float w = weights[i];
            sumW += w;
            sumX += w * v;
        }
        if (min > 0) min = 0;
        if (max == min) {
            for (int i = 0; i < n; i++) l[lo + i] = 0;
            theMin[minIndex] = -min;
            return 0f;
        }
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestError = 0;
        for (int i = 0; i < n; i++) {
            int q = Math.max(0, Math.min(nmax, nearestInt(iscale * (x[xo + i] - min))));
            l[lo + i] = (byte) q;
            float diff = scale * q + min - x[xo + i];
            bestError += weights[i] * (diff * diff);
        }
        for (int is = 0; is <= nstep; is++) {
            iscale = (rmin + rdelta * is + nmax) / (max - min);
            float sumL = 0, sumL2 = 0, sumXL = 0;
            for (int i = 0; i < n; i++) {
                int q = Math.max(0, Math.min(nmax, nearestInt(iscale * (x[xo + i] - min))));
                laux[i] = (byte) q;
                float w = weights[i];
                sumL += w * q;
                sumL2 += w * q * q;
                sumXL += w * q * x[xo + i];
            }
            float det = sumW * sumL2 - sumL * sumL;
            if (det > 0) {
                float thisScale = (sumW * sumXL - sumX * sumL) / det;
                float thisMin = (sumL2 * sumX - sumL * sumXL) / det;
                if (thisMin > 0) {
                    thisMin = 0;
                    thisScale = sumXL / sumL2;
                }
                float curError = 0;
                for (int i = 0; i < n; i++) {
                    float diff = thisScale * (laux[i] & 0xFF) + thisMin - x[xo + i];
                    curError += weights[i] * (diff * diff);
                }
                if (curError < bestError) {
                    System.arraycopy(laux, 0, l, lo, n);
                    bestError = curError;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        theMin[minIndex] = -min;
        return scale;
    }

    /**
     * ggml's {@code make_qx_quants} with {@code rmse_type} 1 and no importance weights: fits x ≈ scale*(L-nmax)
     * with L-nmax in [-nmax, nmax-1], trying 19 scales around -nmax/max and keeping the one that minimises
     * the x²-weighted squared error. Writes L (offset by nmax, so non-negative) and returns the scale.
     */
    static float makeQxQuants(int n, int nmax, float[] x, int xo, byte[] l, int lo) {
        float max = 0;
        float amax = 0;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[xo + i]);
            if (ax > amax) {
                amax = ax;
                max = x[xo + i];
            }
        }
        if (amax < GROUP_MAX_EPS) {
            for (int i = 0; i < n; i++) l[lo + i] = 0;
            return 0f;
        }
        float iscale = -nmax / max;
        float sumlx = 0;
        float suml2 = 0;
        for (int i = 0; i < n; i++) {
            float v = x[xo + i];
            int q = Math.max(-nmax, Math.min(nmax - 1, nearestInt(iscale * v)));
            l[lo + i] = (byte) (q + nmax);
            float w = v * v;
            sumlx += w * v * q;
            suml2 += w * q * q;
        }
        float scale = suml2 != 0f ? sumlx / suml2 : 0f;
        float best = scale * sumlx;
        for (int is = -9; is <= 9; is++) {
            if (is == 0) continue;
            iscale = -(nmax + 0.1f * is) / max;
            sumlx = 0;
            suml2 = 0;
            for (int i = 0; i < n; i++) {
                float v = x[xo + i];
                int q = Math.max(-nmax, Math.min(nmax - 1, nearestInt(iscale * v)));
                float w = v * v;
                sumlx += w * v * q;
                suml2 += w * q * q;
            }
            if (suml2 > 0 && sumlx * sumlx > best * suml2) {
                for (int i = 0; i < n; i++) {
                    int q = nearestInt(iscale * x[xo + i]);
                    l[lo + i] = (byte) (nmax + Math.max(-nmax, Math.min(nmax - 1, q)));
                }
                scale = sumlx / suml2;
                best = scale * sumlx;
            }
        }
        return scale;
    }
}
