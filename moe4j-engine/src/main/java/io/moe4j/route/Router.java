package io.moe4j.route;

/**
 * Decides which experts each token of a batch goes to in one MoE layer. Implementations are the
 * routing policies: the model's own top-k, dynamic top-p, thresholds, budgets, random routing, bans.
 */
public interface Router {

    /**
     * @param layer  the MoE layer index
     * @param logits the gate's raw scores, one row of {@code expertCount} values per token of the batch; reused for the
     *               next batch, so a router that keeps them keeps a copy
     * @param gating how the model turns scores into probabilities and renormalises chosen weights
     * @return one selection per token, in batch order
     */
    ExpertSelection[] route(int layer, float[][] logits, Gating gating);
}
