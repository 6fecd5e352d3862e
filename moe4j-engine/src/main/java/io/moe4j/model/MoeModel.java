package io.moe4j.model;

import io.moe4j.gguf.GgufFile;
import io.moe4j.route.RoutingListener;
import io.moe4j.route.RoutingPlan;
import io.moe4j.tensor.ComputePool;
import io.moe4j.tensor.Matmul;
import io.moe4j.tensor.VectorMath;
import io.moe4j.tensor.WeightMatrix;

import java.util.List;

/**
 * A loaded decoder-only MoE language model: embeddings, transformer blocks, final norm and output
 * projection, over weights mapped from its GGUF file. Architectures differ only in how they build the
 * blocks; the forward pass here is the same for all.
 */
public final class MoeModel implements AutoCloseable {
    private final ModelConfig config;
    private final GgufFile file;
    private final WeightMatrix embeddings;
    private final List<TransformerBlock> blocks;
    private final float[] outputNorm;
    private final WeightMatrix output;

    public MoeModel(ModelConfig config, GgufFile file, WeightMatrix embeddings, List<TransformerBlock> blocks,
                    float[] outputNorm, WeightMatrix output) {
        this.config = config;
        this.file = file;
        this.embeddings = embeddings;
        this.blocks = List.copyOf(blocks);
        this.outputNorm = outputNorm;
        this.output = output;
    }

    public ModelConfig config() {
        return config;
    }

    public GgufFile file() {
        return file;
    }

    public List<TransformerBlock> blocks() {
        return blocks;
    }

    public WeightMatrix output() {
        return output;
    }

    public WeightMatrix embeddings() {
        return embeddings;
    }

    /**
     * Runs a batch of tokens at consecutive positions starting at {@code startPos}, writing their keys and
     * values to {@code cache}.
     *
     * @param allLogits whether to return logits for every position, or only the last
     * @return logits rows: one per token, or one for the last token
     */
    public float[][] forward(ComputePool pool, int[] tokens, int startPos, KvCache cache, RoutingPlan routing,
                             RoutingListener listener, boolean allLogits) {
        return forward(pool, tokens, startPos, cache, routing, listener, new float[allLogits ? tokens.length : 1][output.rows()]);
    }

    /**
     * {@link #forward(ComputePool, int[], int, KvCache, RoutingPlan, RoutingListener, boolean)} into given logits
     * rows: one per token, or a single row for the last token. A decode loop that passes the same row each step
     * allocates no logits (the vocabulary-sized rows were most of a decode step's allocation).
     *
     * @return {@code logits}
     */
    public float[][] forward(ComputePool pool, int[] tokens, int startPos, KvCache cache, RoutingPlan routing,
                             RoutingListener listener, float[][] logits) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("empty batch");
        }
        if (logits.length != 1 && logits.length != tokens.length) {
            throw new IllegalArgumentException(logits.length + " logits rows for " + tokens.length + " tokens: give one, or one per token");
        }
        for (float[] row : logits) {
            if (row.length != output.rows()) {
                throw new IllegalArgumentException("a logits row holds " + row.length + " values, the vocabulary " + output.rows());
            }
        }
        boolean allLogits = logits.length == tokens.length;
        if (startPos < 0 || startPos + tokens.length > cache.capacity()) {
            throw new ContextOverflowException(startPos + tokens.length, cache.capacity());
        }
        int dim = config.embeddingLength();
        ForwardScratch scratch = ForwardScratch.reset();
        float[][] x = scratch.rows(tokens.length, dim);
        // a routing listener is handed the positions, and may keep them
        int[] positions = listener == null ? scratch.ints(tokens.length) : new int[tokens.length];
        for (int t = 0; t < tokens.length; t++) {
            int id = tokens[t];
            if (id < 0 || id >= embeddings.rows()) {
                throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + embeddings.rows());
            }
            embeddings.dequantizeRow(id, x[t], 0);
            positions[t] = startPos + t;
        }
        for (TransformerBlock block : blocks) {
            block.forward(pool, x, positions, cache, routing.forLayer(block.index()), listener);
        }
        float[][] last = x;
        if (!allLogits) {
            last = scratch.refs(float[].class, 1);
            last[0] = x[x.length - 1];
        }
        float[][] normed = scratch.rows(last.length, dim);
        for (int t = 0; t < last.length; t++) {
            VectorMath.rmsNorm(last[t], 0, outputNorm, config.rmsEps(), normed[t], 0, dim);
        }
        Matmul.apply(pool, output, normed, 0, logits, 0);
        return logits;
    }

    public long parameterCount() {
        long p = (long) embeddings.rows() * embeddings.cols() + outputNorm.length;
        if (output != embeddings) {
            p += (long) output.rows() * output.cols();
        }
        for (TransformerBlock b : blocks) {
            p += b.attention().parameterCount() + b.moe().parameterCount() + b.attentionNorm().length + b.ffnNorm().length;
        }
        return p;
    }

    /** Parameters one token uses under native routing (embedding lookup counts one row). */
    public long activeParameterCount() {
        long p = embeddings.cols() + (long) output.rows() * output.cols() + outputNorm.length;
        for (TransformerBlock b : blocks) {
            p += b.attention().parameterCount() + b.moe().activeParameterCount() + b.attentionNorm().length + b.ffnNorm().length;
        }
        return p;
    }

    /** Bytes of weights read per decoded token under native routing: what bounds decode speed. */
    public long activeBytesPerToken() {
        long bytes = output.byteSize() + embeddings.rowBytes();
        for (TransformerBlock b : blocks) {
            bytes += b.attention().activeBytesPerToken() + b.moe().activeBytesPerToken();
        }
        return bytes;
    }

    @Override
    public void close() {
        file.close();
    }
}
