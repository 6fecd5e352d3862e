package io.moe4j.gguf;

/**
 * Quotes names taken from a file (keys, tensor names) for error messages. A hostile file can put line breaks,
 * control characters or megabytes into a name; quoted, the name stays short and the message stays one line.
 */
final class Names {
    static final int MAX_QUOTED_CHARS = 80;

    private Names() {
    }

    static String quote(String name) {
        int shown = Math.min(name.length(), MAX_QUOTED_CHARS);
        StringBuilder b = new StringBuilder(shown + 24).append('\'');
        for (int i = 0; i < shown; i++) {
            char c = name.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        b.append('\'');
        if (shown < name.length()) {
            b.append("... (").append(name.length()).append(" chars)");
        }
        return b.toString();
    }
}
