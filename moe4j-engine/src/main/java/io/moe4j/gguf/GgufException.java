package io.moe4j.gguf;

/**
 * The one error type for a GGUF file that cannot be used: truncated, hostile, or of a kind this engine
 * does not support. Its message is a single line that names the file and the problem.
 */
public class GgufException extends RuntimeException {
    public GgufException(String message) {
        super(message);
    }

    public GgufException(String message, Throwable cause) {
        super(message, cause);
    }
}
