package io.moe4j.model;

/** A sequence that would not fit the context the session was created with. */
public final class ContextOverflowException extends RuntimeException {
    public ContextOverflowException(int needed, int capacity) {
        super("the sequence needs " + needed + " positions but the context holds " + capacity
                + " (use a shorter prompt, fewer tokens, or a larger --ctx)");
    }
}
