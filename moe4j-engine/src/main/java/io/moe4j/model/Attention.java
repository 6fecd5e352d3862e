package io.moe4j.model;

import io.moe4j.tensor.ActivationFormat;
import io.moe4j.tensor.ComputePool;
import io.moe4j.tensor.Matmul;
import io.moe4j.tensor.VectorMath;
import io.moe4j.tensor.WeightMatrix;

/**
 * Causal multi-head self-attention with grouped-query heads, optional q/k RMS norms and biases, and
 * RoPE, over a {@link KvCache}.
 */
public final class Attention {
    private final ModelConfig config;
    private final WeightMatrix wq;
    private final WeightMatrix wk;
    private final WeightMatrix wv;
    private final WeightMatrix wo;
    private final float[] bq;
    private final float[] bk;
    private final float[] bv;
    private final float[] qNorm;
    private final float[] kNorm;
    private final Rope rope;

    public Attention(ModelConfig config, WeightMatrix wq, WeightMatrix wk, WeightMatrix wv, WeightMatrix wo,
                     float[] bq, float[] bk, float[] bv, float[] qNorm, float[] kNorm) {
        this.config = config;
        this.wq = wq;
        this.wk = wk;
        this.wv = wv;
        this.wo = wo;
        this.bq = bq;
        this.bk = bk;
        this.bv = bv;
        this.qNorm = qNorm;
        this.kNorm = kNorm;
        this.rope = Rope.of(config.ropeType(), config.ropeDimensions(), config.ropeFreqBase());
        if ((config.qkNorm() == QkNorm.NONE) != (qNorm == null)) {
            throw new IllegalArgumentException("q/k norm weights do not match the configuration " + config.qkNorm());
        }
    }

    /**
     * Heads go to the threads in chunks of at least this many cached positions: one head over one position (a dot
     * product and an update of the F16 accumulator, head size 128) costs about 0.1 µs, so this is about 10 µs of
     * work, several times a hand-off. With 4096 a decode step's 16 heads ran on one thread until the context
     * reached 512 tokens.
     */
    private static final int POSITIONS_PER_CHUNK = 128;

    /**
     * A batch's tokens are biased, normalised, rotated and stored on all threads in chunks of at least this many: a
     * token's share is 1-2 µs on the tiny model (measured in a `perf` profile of a 128-token prefill, where it took 5% of
     * the calling thread's time while the other waited), so a decode step's one token stays on the calling thread.
     */
    private static final int TOKENS_PER_CHUNK = 8;

    /**
     * One call's arguments for its two parallel steps, kept by the calling thread with the steps bound to it once: a
     * decode loop allocates nothing for them (issue #3). Emptied after each call, so that it holds no cache.
     */
    private static final class Step {
        private Attention attention;
        private int layer;
        private float[][] q;
        private float[][] k;
        private float[][] v;
        private int[] positions;
        private KvCache cache;
        private float[][] attended;
        private float[][] headScratch;
        final ComputePool.RangeTask prepare = this::prepare;
        final ComputePool.RangeTask attend = this::attend;

        Step set(Attention attention, int layer, float[][] q, float[][] k, float[][] v, int[] positions, KvCache cache,
                 float[][] attended, float[][] headScratch) {
            this.attention = attention;
            this.layer = layer;
            this.q = q;
            this.k = k;
            this.v = v;
            this.positions = positions;
            this.cache = cache;
            this.attended = attended;
            this.headScratch = headScratch;
            return this;
        }

        /** Tokens {@code [from, to)} biased, normalised, rotated, and their keys and values stored. */
        private void prepare(int from, int to) {
            for (int t = from; t < to; t++) {
                attention.prepare(layer, q[t], k[t], v[t], positions[t], cache);
            }
        }

        /** Heads {@code [start, end)} of the batch's tokens, one after the other. */
        private void attend(int start, int end) {
            ModelConfig config = attention.config;
            int heads = config.headCount();
            int group = config.headCount() / config.headCountKv();
            float[] own = headScratch == null ? new float[config.valueHeadSize() + config.headSize()] : null;
            // a second head's scratch only where heads pair
            float[] ownSecond = headScratch == null && group >= 2 ? new float[config.valueHeadSize() + config.headSize()] : null;
            for (int i = start; i < end; i++) {
                int head = i % heads;
                // two heads of one token that read the same keys and values go together
                boolean pair = i + 1 < end && head + 1 < heads && head / group == (head + 1) / group;
                attention.attendHeads(layer, q[i / heads], positions[i / heads], head, pair, cache,
                        own != null ? own : headScratch[i], ownSecond != null ? ownSecond : pair ? headScratch[i + 1] : null,
                        attended[i / heads]);
                if (pair) {
                    i++;
                }
            }
        }
    }

    /** One thread's arrays for a head's softmax over the cached positions, sized for the largest cache seen. */
    private static final class SoftmaxScratch {
        private static final ThreadLocal<SoftmaxScratch[]> OF_THREAD =
                ThreadLocal.withInitial(() -> new SoftmaxScratch[] {new SoftmaxScratch(0), new SoftmaxScratch(0)});

        final float[] scores;
        final float[] exponents;
        final float[] factors;
        final boolean[] rescales;
        final float[] lanes = new float[VectorMath.BLOCK_DOTS_SCRATCH];

        private SoftmaxScratch(int positions) {
            int length = VectorMath.wholeKeyBlocks(positions);
            scores = new float[length];
            exponents = new float[length];
            factors = new float[length];
            rescales = new boolean[length];
        }

        /** This thread's two sets of arrays (one per head of a pair), with room for {@code positions} (whole vectors). */
        static SoftmaxScratch[] of(int positions) {
            SoftmaxScratch[] s = OF_THREAD.get();
            if (s[0].scores.length < positions) {
                s = new SoftmaxScratch[] {new SoftmaxScratch(positions), new SoftmaxScratch(positions)};
                OF_THREAD.set(s);
            }
            return s;
        }
    }

    private static final ThreadLocal<Step> STEP = ThreadLocal.withInitial(Step::new);

    /** One token's query, key and value biased, normalised and rotated; its key and value stored. */
    private void prepare(int layer, float[] q, float[] k, float[] v, int position, KvCache cache) {
        addBias(q, bq);
        addBias(k, bk);
        addBias(v, bv);
        normalize(q, qNorm, config.headCount());
        normalize(k, kNorm, config.headCountKv());
        float[] angles = rope.angles(position);
        rope.apply(q, 0, config.headCount(), config.headSize(), angles);
        rope.apply(k, 0, config.headCountKv(), config.headSize(), angles);
        cache.store(layer, position, k, 0, v, 0);
    }

    /** Attention output for each token of the batch, added to {@code residual}. */
    public void forward(ComputePool pool, int layer, float[][] x, int[] positions, KvCache cache, float[][] residual) {
        int tokens = x.length;
        int qLen = config.queryLength();
        int kLen = config.keyLength();
        int vLen = config.valueLength();
        ForwardScratch temporaries = ForwardScratch.current();
        float[][] q = temporaries.rows(tokens, qLen);
        float[][] k = temporaries.rows(tokens, kLen);
        float[][] v = temporaries.rows(tokens, vLen);
        Matmul.products().add(wq, x, 0, q, 0).add(wk, x, 0, k, 0).add(wv, x, 0, v, 0).apply(pool);
        float[][] attended = temporaries.rows(tokens, config.headCount() * config.valueHeadSize());
        int heads = config.headCount();
        // decoding, one scratch row per head from the pass's scratch (threads never share a row); a batch's
        // heads are many, so each task makes its own instead
        float[][] headScratch = tokens == 1 ? temporaries.rows(heads, config.valueHeadSize() + config.headSize()) : null;
        Step step = STEP.get().set(this, layer, q, k, v, positions, cache, attended, headScratch);
        try {
            // a prompt's tokens are independent here, so they go to all threads (each stores its own positions)
            pool.forRange(tokens, TOKENS_PER_CHUNK, step.prepare);
            // chunks of whole pairs of heads where heads share keys and values (attendHeads)
            int align = config.headCount() / config.headCountKv() >= 2 ? 2 : 1;
            pool.forRange(tokens * heads, Math.max(1, POSITIONS_PER_CHUNK / Math.max(1, positions[tokens - 1] + 1)), align, step.attend);
        } finally {
            step.set(null, 0, null, null, null, null, null, null, null);
        }
        float[][] out = temporaries.rows(tokens, config.embeddingLength());
        Matmul.apply(pool, wo, attended, 0, out, 0);
        for (int t = 0; t < tokens; t++) {
            VectorMath.axpy(1f, out[t], 0, residual[t], 0, out[t].length);
        }
    }

    /**
     * One head's attention for one query, computed as llama.cpp's CPU flash-attention kernel does with its
     * default F16 cache: the query rounded to F16, an online softmax, and the weighted sum of values kept in
     * an F16 accumulator (each update rounded to F16 after a fused multiply-add), divided by the softmax sum
     * at the end. Keeping F16 accumulation is what makes quantized models match llama.cpp's logits to within
     * float noise rather than 0.1-1 (see ReferenceLogitsTest); it costs one rounding per value element.
     *
     * <p>With {@code pair}, heads {@code head} and {@code head+1}, which read the same cached values (grouped-query
     * attention), each exactly as alone: their accumulators are updated in one pass over the values, so that one
     * head's update overlaps the other's instead of waiting for its own last one.
     */
    private void attendHeads(int layer, float[] q, int pos, int head, boolean pair, KvCache cache, float[] scratch,
                             float[] secondScratch, float[] out) {
        int valueHeadSize = config.valueHeadSize();
        int kvHead = head / (config.headCount() / config.headCountKv());
        float[] values = cache.values(layer);
        int firstValue = cache.valueOffset(kvHead, 0);
        int positions = pos + 1;
        SoftmaxScratch[] softmax = SoftmaxScratch.of(cache.capacity());
        // scratch: the value accumulator, then the query rounded to F16
        float[] acc = scratch;
        float[] acc2 = secondScratch;
        float sum = softmax(layer, q, positions, head, cache, scratch, softmax[0]);
        float sum2 = pair ? softmax(layer, q, positions, head + 1, cache, secondScratch, softmax[1]) : 0f;
        float[] factors = softmax[0].factors;
        boolean[] rescales = softmax[0].rescales;
        float[] factors2 = softmax[1].factors;
        boolean[] rescales2 = softmax[1].rescales;
        for (int p = 0; p < positions; p++) {
            float weight = factors[p];
            if (rescales[p]) {
                VectorMath.scaleHalf(weight, acc, 0, valueHeadSize);
                weight = 1f;
            }
            if (!pair) {
                VectorMath.axpyHalf(weight, values, firstValue + p * valueHeadSize, acc, 0, valueHeadSize);
                continue;
            }
            float weight2 = factors2[p];
            if (rescales2[p]) {
                VectorMath.scaleHalf(weight2, acc2, 0, valueHeadSize);
                weight2 = 1f;
            }
            VectorMath.axpyHalfPair(weight, weight2, values, firstValue + p * valueHeadSize, acc, acc2, valueHeadSize);
        }
        normalizeInto(acc, sum, out, head * valueHeadSize, valueHeadSize);
        if (pair) {
            normalizeInto(acc2, sum2, out, (head + 1) * valueHeadSize, valueHeadSize);
        }
    }

    /**
     * One head's online softmax over {@code positions} cached keys into {@code softmax} (each position's factor, and
     * whether the running maximum rose there), its query rounded into {@code scratch} and its accumulator there
     * zeroed; returns the softmax's sum. In passes over the positions, not one pass doing all per position: the scores
     * in one call (the call per key and its reload of the query are gone), the exponents, then all their exponentials
     * at once (a scalar Math.exp per position was a quarter of attention's samples in a perf profile); tiny-code-moe
     * prefill ran 1.09-1.15x as fast (scripts/ab-builds.sh, 2026-11-30), the values unchanged.
     */
    private float softmax(int layer, float[] q, int positions, int head, KvCache cache, float[] scratch, SoftmaxScratch softmax) {
        int headSize = config.headSize();
        int valueHeadSize = config.valueHeadSize();
        int kvHead = head / (config.headCount() / config.headCountKv());
        float scale = (float) (1.0 / Math.sqrt(headSize));
        ActivationFormat.F16.round(q, head * headSize, scratch, valueHeadSize, headSize);
        java.util.Arrays.fill(scratch, 0, valueHeadSize, 0f);
        float[] scores = softmax.scores;
        float[] exponents = softmax.exponents;
        float[] factors = softmax.factors;
        boolean[] rescales = softmax.rescales;
        VectorMath.blockDots(scratch, valueHeadSize, cache.keys(layer), cache.keysOffset(kvHead), headSize, positions, scale, scores,
                softmax.lanes);
        float max = Float.NEGATIVE_INFINITY;
        for (int p = 0; p < positions; p++) {
            float s = scores[p];
            rescales[p] = s > max;
            exponents[p] = s > max ? max - s : s - max; // at a new maximum the accumulator's rescaling, else the weight
            if (s > max) {
                max = s;
            }
        }
        VectorMath.expOfWhole(exponents, factors, positions);
        float sum = 0f;
        for (int p = 0; p < positions; p++) {
            sum = rescales[p] ? sum * factors[p] + 1f : sum + factors[p];
        }
        return sum;
    }

    /** {@code out[outOffset + i] = acc[i] / sum} for {@code i < n}: the softmax's division, once at the end. */
    private static void normalizeInto(float[] acc, float sum, float[] out, int outOffset, int n) {
        float inverse = 1f / sum;
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = acc[i] * inverse;
        }
    }

    private static void addBias(float[] x, float[] bias) {
        if (bias != null) {
            VectorMath.axpy(1f, bias, 0, x, 0, bias.length);
        }
    }

    private void normalize(float[] x, float[] weight, int heads) {
        switch (config.qkNorm()) {
            case NONE -> { }
            case WHOLE -> VectorMath.rmsNorm(x, 0, weight, config.rmsEps(), x, 0, x.length);
            case PER_HEAD -> {
                int size = config.headSize();
                for (int h = 0; h < heads; h++) {
                    VectorMath.rmsNorm(x, h * size, weight, config.rmsEps(), x, h * size, size);
                }
            }
        }
    }

    public long activeBytesPerToken() {
        return wq.byteSize() + wk.byteSize() + wv.byteSize() + wo.byteSize();
    }

    public long parameterCount() {
        return (long) wq.rows() * wq.cols() + (long) wk.rows() * wk.cols() + (long) wv.rows() * wv.cols()
                + (long) wo.rows() * wo.cols();
    }
}
