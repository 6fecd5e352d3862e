package io.moe4j.model;

/** How far one set of logits is from another: the largest absolute difference, cosine, top-1 agreement. */
public record LogitsComparison(double maxAbsDiff, double minCosine, int top1Mismatches, double maxAbsReference) {

    public static LogitsComparison of(float[][] actual, float[][] expected) {
        double maxDiff = 0;
        double minCos = 1;
        int mismatches = 0;
        double maxRef = 0;
        for (int t = 0; t < expected.length; t++) {
            double dot = 0, na = 0, ne = 0;
            for (int i = 0; i < expected[t].length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(actual[t][i] - expected[t][i]));
                maxRef = Math.max(maxRef, Math.abs(expected[t][i]));
                dot += (double) actual[t][i] * expected[t][i];
                na += (double) actual[t][i] * actual[t][i];
                ne += (double) expected[t][i] * expected[t][i];
            }
            minCos = Math.min(minCos, dot / Math.sqrt(na * ne));
            if (argmax(actual[t]) != argmax(expected[t])) {
                mismatches++;
            }
        }
        return new LogitsComparison(maxDiff, minCos, mismatches, maxRef);
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    @Override
    public String toString() {
        return String.format("max|diff|=%.5f (max|ref|=%.2f) min cos=%.6f top1 mismatches=%d", maxAbsDiff, maxAbsReference, minCosine, top1Mismatches);
    }
}
