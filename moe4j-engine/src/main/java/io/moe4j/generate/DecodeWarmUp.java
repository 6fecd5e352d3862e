package io.moe4j.generate;

import io.moe4j.model.MoeModel;
import io.moe4j.tensor.ComputePool;

import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * A few tokens decoded in a session of their own before a model's first prefill in this process, so that the JIT
 * compiles the decode kernels from decode's calls before a prefill's. Why: with a prefill first, olmoe Q4_0 decode ran
 * 18-43 tok/s instead of 48-69 in 3-5 of 6 processes of {@code bench -p 64 -n 32} (and the prefill itself 17-46 in
 * some): the compiled {@code InterleavedQ4_0.twoPairs}, and in some processes {@code dotPairForTwo}, left part of
 * their Vector API calls as calls, which allocate every vector (JFR allocation samples; a young collection every
 * 34 ms). With 8 tokens decoded first, 6 of 6 processes ran without it, twice (2026-12-01, README's thirteenth series).
 * The tokens leave nothing behind: their session and its cache are dropped.
 */
final class DecodeWarmUp {
    static final int TOKENS = 8;
    private static final Set<MoeModel> DONE = Collections.newSetFromMap(new WeakHashMap<>());

    private DecodeWarmUp() {
    }

    /** Decodes {@link #TOKENS} tokens with {@code model} the first time this is called for it, and says whether it did. */
    static boolean beforeFirstPrefill(MoeModel model, ComputePool pool) {
        synchronized (DONE) {
            if (!DONE.add(model)) {
                return false;
            }
        }
        int vocabulary = model.output().rows();
        Session scratch = new Session(model, pool, TOKENS);
        for (int i = 0; i < TOKENS; i++) {
            scratch.feed(i % vocabulary);
        }
        return true;
    }
}
