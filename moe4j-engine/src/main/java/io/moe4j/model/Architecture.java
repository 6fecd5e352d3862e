package io.moe4j.model;

import io.moe4j.gguf.GgufFile;

/** One GGUF {@code general.architecture}: how its hyperparameters and tensors become a {@link MoeModel}. */
public interface Architecture {

    /** The value of {@code general.architecture} this class reads. */
    String name();

    /** A human description for {@code inspect} and error messages. */
    String description();

    MoeModel load(GgufFile file, LoadOptions options);
}
