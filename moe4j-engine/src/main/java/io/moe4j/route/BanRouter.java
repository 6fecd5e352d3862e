package io.moe4j.route;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Wraps a layer's policy so that it never routes to some experts ({@code ban:L/E}): an ablation, and the
 * inference-time half of unlearning one expert (UOE). A banned expert's gate score is set to minus
 * infinity before the policy sees it, so it gets probability zero and the policy chooses among the
 * others as if the banned expert did not exist (a softmax gate renormalises over the rest). Should the
 * policy still list a banned expert (when it asks for more experts than remain), it is dropped; its
 * weight was zero, so the other weights are unchanged.
 */
public final class BanRouter implements Router {
    private final Router policy;
    private final int[] banned;

    public BanRouter(Router policy, int... banned) {
        if (banned.length == 0) {
            throw new IllegalArgumentException("no expert to ban");
        }
        this.policy = policy;
        this.banned = Arrays.stream(banned).sorted().distinct().toArray();
    }

    public Router policy() {
        return policy;
    }

    @Override
    public ExpertSelection[] route(int layer, float[][] logits, Gating gating) {
        if (banned.length >= gating.expertCount()) {
            throw new IllegalStateException("every expert of layer " + layer + " is banned");
        }
        float[][] masked = new float[logits.length][];
        for (int t = 0; t < logits.length; t++) {
            masked[t] = logits[t].clone();
            for (int e : banned) {
                if (e < masked[t].length) {
                    masked[t][e] = Float.NEGATIVE_INFINITY;
                }
            }
        }
        ExpertSelection[] selections = policy.route(layer, masked, gating);
        for (int t = 0; t < selections.length; t++) {
            selections[t] = withoutBanned(selections[t]);
        }
        return selections;
    }

    private ExpertSelection withoutBanned(ExpertSelection s) {
        int[] experts = new int[s.count()];
        float[] weights = new float[s.count()];
        int n = 0;
        for (int i = 0; i < s.count(); i++) {
            if (Arrays.binarySearch(banned, s.expert(i)) < 0) {
                experts[n] = s.expert(i);
                weights[n++] = s.weight(i);
            }
        }
        return n == s.count() ? s : new ExpertSelection(Arrays.copyOf(experts, n), Arrays.copyOf(weights, n));
    }

    @Override
    public String toString() {
        return policy + " without experts " + Arrays.stream(banned).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }
}
