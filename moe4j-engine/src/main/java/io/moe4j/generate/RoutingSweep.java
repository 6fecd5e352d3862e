package io.moe4j.generate;

import io.moe4j.model.MoeModel;
import io.moe4j.tensor.ComputePool;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/** Perplexity and expert evaluations per token of several decodings on the same windows: the cost/quality trade-off. */
public final class RoutingSweep {

    public record Row(String policy, boolean nativeRouting, double expertsPerToken, Perplexity.Result result) {
        /** Perplexity change against {@code baseline}, in percent. */
        public double deltaPercent(Row baseline) {
            return (result.perplexity() / baseline.result.perplexity() - 1) * 100;
        }
    }

    private RoutingSweep() {
    }

    public static Row measure(MoeModel model, ComputePool pool, Decoding decoding, int[] tokens, int ctx, int windows,
                              IntConsumer progress) {
        Decoding.Opened opened = decoding.open(model, pool, ctx, null);
        Perplexity.Result r = Perplexity.evaluate(opened.source(), tokens, ctx, windows, progress);
        return new Row(decoding.label(), decoding.isNative(), opened.expertsPerToken(), r);
    }

    /** Measures each decoding in turn; {@code onRow} hears each row as soon as it is done. */
    public static List<Row> run(MoeModel model, ComputePool pool, List<Decoding> decodings, int[] tokens, int ctx, int windows,
                                Consumer<Row> onRow) {
        for (Decoding d : decodings) {
            d.validate(model.config());
        }
        List<Row> rows = new ArrayList<>();
        for (Decoding d : decodings) {
            Row row = measure(model, pool, d, tokens, ctx, windows, null);
            rows.add(row);
            onRow.accept(row);
        }
        return rows;
    }
}
