package io.moe4j.gguf;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

/**
 * The one error type for a GGUF file that cannot be used: truncated, hostile, or of a kind this engine
 * does not support. Its message is a single line that names the file and the problem; line breaks that
 * reach it anyway (from a path or an operating-system message) are turned into spaces.
 */
public class GgufException extends RuntimeException {
    public GgufException(String message) {
        super(singleLine(message));
    }

    public GgufException(String message, Throwable cause) {
        super(singleLine(message), cause);
    }

    /** A failure to {@code action} (read, write) {@code target}, worded for a user rather than as a class name. */
    static GgufException ofIo(Object target, String action, IOException e) {
        String problem = switch (e) {
            case NoSuchFileException n -> "no such file or directory: " + n.getFile();
            case AccessDeniedException a -> "permission denied: " + a.getFile();
            default -> e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        };
        return new GgufException(target + ": cannot " + action + ": " + problem, e);
    }

    private static String singleLine(String message) {
        return message == null ? null : message.replaceAll("\\R", " ");
    }
}
