package io.moe4j.cli;

import io.moe4j.model.Architectures;
import io.moe4j.model.LoadOptions;
import io.moe4j.model.MoeModel;
import io.moe4j.tensor.VectorMath;
import io.moe4j.tokenizer.Tokenizer;

import java.io.PrintStream;
import java.nio.file.Path;

/** A model with its tokenizer, loaded with a progress line on stderr. */
record LoadedModel(MoeModel model, Tokenizer tokenizer) implements AutoCloseable {

    static LoadedModel load(Path path, PrintStream log) {
        return load(path, LoadOptions.DEFAULT, log);
    }

    static LoadedModel load(Path path, LoadOptions options, PrintStream log) {
        long start = System.nanoTime();
        MoeModel model = Architectures.load(path, options);
        model.file().preload();
        Tokenizer tokenizer;
        try {
            tokenizer = Tokenizer.fromGguf(model.file().metadata());
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        var c = model.config();
        log.printf("moe4j: loaded %s (%s, %d layers, %d experts top-%d, %.1fM params) in %.2f s%n",
                path.getFileName(), c.architecture(), c.layerCount(), c.expertCount(), c.expertsPerToken(),
                model.parameterCount() / 1e6, (System.nanoTime() - start) / 1e9);
        if (!VectorMath.floatVectorsNative()) {
            log.printf("moe4j: this JVM's vectors are %d bits; the float kernels need 128 and run here without vector"
                    + " instructions (slow)%n", VectorMath.machineVectorBits());
        }
        return new LoadedModel(model, tokenizer);
    }

    @Override
    public void close() {
        model.close();
    }
}
