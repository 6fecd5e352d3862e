package io.moe4j.route;

import java.util.Arrays;
import java.util.Comparator;

/**
 * {@code budget:B[,max=M]}: at most {@code floor(B × tokens)} expert evaluations for a batch, that is B per
 * token on average. Every token gets its most probable expert; the rest of the budget goes, one expert
 * at a time, to the token whose next expert has the highest share of that token's probability mass:
 * tokens whose gate is undecided get more experts, confident ones fewer. No token gets more than M
 * experts (default: the model's own k). With a batch of one token (decoding) this is top-floor(B).
 */
public final class BudgetRouter implements Router {
    private final double budget;
    private final int max;

    /** @param max most experts per token; 0 for the model's own k */
    public BudgetRouter(double budget, int max) {
        if (!(budget >= 1) || Double.isInfinite(budget)) {
            throw new IllegalArgumentException("B must be a number of at least 1 (every token needs one expert), got " + budget);
        }
        if (max < 0) {
            throw new IllegalArgumentException("max must be at least 1, got " + max);
        }
        this.budget = budget;
        this.max = max;
    }

    @Override
    public ExpertSelection[] route(int layer, float[][] logits, Gating gating) {
        int tokens = logits.length;
        int experts = gating.expertCount();
        int cap = Math.min(max == 0 ? gating.expertsPerToken() : max, experts);
        float[][] probs = new float[tokens][experts];
        int[][] order = new int[tokens][];
        double[] mass = new double[tokens];
        for (int t = 0; t < tokens; t++) {
            gating.probabilities(logits[t], probs[t]);
            order[t] = TopK.descending(probs[t]);
            mass[t] = PerTokenRouter.mass(probs[t]);
        }
        // candidate c is token c / (cap - 1) taking its (c % (cap - 1) + 2)-th expert
        int extraPerToken = cap - 1;
        Integer[] candidates = new Integer[tokens * extraPerToken];
        double[] share = new double[candidates.length];
        for (int c = 0; c < candidates.length; c++) {
            int t = c / extraPerToken;
            candidates[c] = c;
            share[c] = probs[t][order[t][c % extraPerToken + 1]] / mass[t];
        }
        // by share, then by token, then by rank: a token's experts come in its own descending order
        Arrays.sort(candidates, Comparator.<Integer>comparingDouble(c -> -share[c]).thenComparingInt(c -> c));
        int[] count = new int[tokens];
        Arrays.fill(count, 1);
        long extra = (long) Math.floor(budget * tokens + 1e-9) - tokens;
        for (int i = 0; i < candidates.length && extra > 0; i++) {
            count[candidates[i] / extraPerToken]++;
            extra--;
        }
        ExpertSelection[] out = new ExpertSelection[tokens];
        for (int t = 0; t < tokens; t++) {
            out[t] = TopK.first(probs[t], order[t], count[t], gating);
        }
        return out;
    }

    @Override
    public String toString() {
        return "budget:" + RouteSpec.format(budget) + (max != 0 ? ",max=" + max : "");
    }
}
