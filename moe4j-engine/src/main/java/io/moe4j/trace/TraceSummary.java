package io.moe4j.trace;

import java.io.IOException;

/**
 * What the pictures of a trace show, counted in one pass: expert load per layer, expert-to-expert
 * transitions between consecutive layers (inter-layer affinity, as ExFlow exploits), co-activation of
 * experts within a layer, and gate entropy per layer.
 */
public final class TraceSummary {
    private final TraceHeader header;
    private final long[][] load;
    private final long[][][] transitions;
    private final long[][][] coactivation;
    private final double[] entropySum;
    private final long[] evaluations;
    private long tokens;

    public TraceSummary(TraceHeader header) {
        this.header = header;
        int layers = header.layerCount();
        int experts = header.expertCount();
        load = new long[layers][experts];
        transitions = new long[Math.max(0, layers - 1)][experts][experts];
        coactivation = new long[layers][experts][experts];
        entropySum = new double[layers];
        evaluations = new long[layers];
    }

    public static TraceSummary of(TraceReader reader) throws IOException {
        TraceSummary s = new TraceSummary(reader.header());
        for (TokenRoute r = reader.next(); r != null; r = reader.next()) {
            s.add(r);
        }
        return s;
    }

    public void add(TokenRoute r) {
        for (int l = 0; l < header.layerCount(); l++) {
            int[] experts = r.layer(l).experts();
            entropySum[l] += r.layer(l).entropy();
            evaluations[l] += experts.length;
            for (int e : experts) {
                load[l][e]++;
                for (int other : experts) {
                    if (other != e) {
                        coactivation[l][e][other]++;
                    }
                }
                if (l + 1 < header.layerCount()) {
                    for (int next : r.layer(l + 1).experts()) {
                        transitions[l][e][next]++;
                    }
                }
            }
        }
        tokens++;
    }

    public TraceHeader header() {
        return header;
    }

    public long tokens() {
        return tokens;
    }

    /** Share of tokens that layer {@code l} sends to each expert. */
    public double[] loadShare(int l) {
        double[] share = new double[header.expertCount()];
        for (int e = 0; e < share.length; e++) {
            share[e] = tokens == 0 ? 0 : (double) load[l][e] / tokens;
        }
        return share;
    }

    /**
     * Row {@code i}, column {@code j}: of the tokens that used expert i in layer l, the share that use
     * expert j in layer l + 1 (a row sums to the mean experts per token of layer l + 1; rows of unused
     * experts are zero).
     */
    public double[][] transitionShare(int l) {
        return rowShares(transitions[l], load[l]);
    }

    /** Row {@code i}, column {@code j}: of the tokens that used expert i in layer l, the share that also used j. */
    public double[][] coactivationShare(int l) {
        return rowShares(coactivation[l], load[l]);
    }

    private static double[][] rowShares(long[][] counts, long[] rowTotals) {
        double[][] out = new double[counts.length][counts.length];
        for (int i = 0; i < counts.length; i++) {
            for (int j = 0; j < counts.length; j++) {
                out[i][j] = rowTotals[i] == 0 ? 0 : (double) counts[i][j] / rowTotals[i];
            }
        }
        return out;
    }

    /** Mean gate entropy of layer l, in nats. */
    public double meanEntropy(int l) {
        return tokens == 0 ? 0 : entropySum[l] / tokens;
    }

    /** Mean experts per token in layer l. */
    public double expertsPerToken(int l) {
        return tokens == 0 ? 0 : (double) evaluations[l] / tokens;
    }

    public double expertsPerToken() {
        double sum = 0;
        for (int l = 0; l < header.layerCount(); l++) {
            sum += expertsPerToken(l);
        }
        return sum / header.layerCount();
    }
}
