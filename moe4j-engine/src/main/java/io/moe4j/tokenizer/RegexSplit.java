package io.moe4j.tokenizer;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A split pass driven by one of llama.cpp's pre-tokenizer regexes, matched the way llama.cpp matches
 * it: each piece is searched on its own (a match cannot look past the piece), every match becomes a
 * piece and so does every stretch between matches.
 *
 * <p>A regex that uses Unicode classes ({@code \p{L}} etc.) runs, as in llama.cpp, on the
 * {@linkplain PreTokenizerText#collapsed() collapsed} text, with each class rewritten to "its
 * stand-in or the ASCII characters of that class". Other regexes run on the
 * {@linkplain PreTokenizerText#folded() folded} text. Doing the same rewriting as llama.cpp keeps its
 * quirks, e.g. {@code \s} only matching ASCII whitespace and the vertical tab that stands in for the rest.
 */
final class RegexSplit implements SplitPass {
    static final char OTHER_STAND_IN = '\u00D0';
    static final char NUMBER_STAND_IN = '\u00D1';
    static final char LETTER_STAND_IN = '\u00D2';
    static final char PUNCTUATION_STAND_IN = '\u00D3';
    static final char ACCENT_MARK_STAND_IN = '\u00D4';
    static final char SYMBOL_STAND_IN = '\u00D5';

    /** Class body (without brackets) replacing each Unicode class: its stand-in plus its ASCII members. */
    private static final Map<String, String> CLASS_BODIES = Map.of(
            "\\p{N}", "\\xD1\\x30-\\x39",
            "\\p{L}", "\\xD2\\x41-\\x5A\\x61-\\x7A",
            "\\p{P}", "\\xD3\\x21-\\x23\\x25-\\x2A\\x2C-\\x2F\\x3A-\\x3B\\x3F-\\x40\\x5B-\\x5D\\x5F\\x7B\\x7D",
            "\\p{M}", "\\xD4",
            "\\p{S}", "\\xD5\\x24\\x2B\\x3C-\\x3E\\x5E\\x60\\x7C",
            // llama.cpp does not tell letter sub-categories apart once collapsed
            "\\p{Lu}", "\\xD2\\x41-\\x5A\\x61-\\x7A",
            "\\p{Ll}", "\\xD2\\x41-\\x5A\\x61-\\x7A",
            "\\p{Lt}", "\\xD2\\x41-\\x5A\\x61-\\x7A",
            "\\p{Lm}", "\\xD2\\x41-\\x5A\\x61-\\x7A",
            "\\p{Lo}", "\\xD2\\x41-\\x5A\\x61-\\x7A");

    private final String source;
    private final Pattern pattern;
    private final boolean onCollapsedText;

    /** @param llamaRegex the regex as llama.cpp writes it (ECMAScript syntax that Java also accepts) */
    RegexSplit(String llamaRegex) {
        this.source = llamaRegex;
        this.onCollapsedText = usesUnicodeClasses(llamaRegex);
        String javaRegex = endAnchorsAtEndOfInput(onCollapsedText ? rewriteForCollapsedText(llamaRegex) : llamaRegex);
        this.pattern = Pattern.compile(javaRegex);
    }

    @Override
    public IntList split(PreTokenizerText text, IntList pieces) {
        String subject = onCollapsedText ? text.collapsed() : text.folded();
        Matcher m = pattern.matcher(subject);
        IntList out = new IntList(pieces.size() * 4);
        int pieceStart = 0; // in code points
        for (int p = 0; p < pieces.size(); p++) {
            int pieceEnd = pieceStart + pieces.get(p);
            int from = charOffset(text, pieceStart);
            int to = charOffset(text, pieceEnd);
            // Default region bounds are opaque and anchoring: lookahead and '$' stop at the piece end,
            // as in std::regex_iterator over [first, last).
            m.region(from, to);
            int previous = pieceStart;
            while (m.find()) {
                if (m.end() == m.start()) {
                    continue; // none of the supported regexes can match empty; guard against a loop
                }
                int start = codePointIndex(text, m.start());
                int end = codePointIndex(text, m.end());
                if (start > previous) {
                    out.add(start - previous);
                }
                out.add(end - start);
                previous = end;
            }
            if (previous < pieceEnd) {
                out.add(pieceEnd - previous);
            }
            pieceStart = pieceEnd;
        }
        return out;
    }

    private int charOffset(PreTokenizerText text, int codePointIndex) {
        return onCollapsedText ? codePointIndex : text.foldedCharOffset(codePointIndex);
    }

    private int codePointIndex(PreTokenizerText text, int charIndex) {
        return onCollapsedText ? charIndex : text.codePointIndexOfFoldedChar(charIndex);
    }

    static boolean usesUnicodeClasses(String regex) {
        for (String cls : CLASS_BODIES.keySet()) {
            if (regex.contains(cls)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Replaces each Unicode class with a bracketed class of its stand-in and ASCII members; inside an
     * existing bracket expression only the body is inserted, since brackets do not nest in ECMAScript.
     */
    static String rewriteForCollapsedText(String regex) {
        for (int i = 0; i < regex.length(); i++) {
            if (regex.charAt(i) > 0x7F) {
                // llama.cpp refuses these too: non-ASCII literals cannot be matched against collapsed text
                throw new IllegalArgumentException("regex mixes Unicode classes and non-ASCII characters: " + regex);
            }
        }
        StringBuilder out = new StringBuilder(regex.length() * 3);
        boolean insideBrackets = false;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            boolean escaped = i > 0 && regex.charAt(i - 1) == '\\';
            if (c == '[' && !escaped) {
                insideBrackets = true;
                out.append(c);
                continue;
            }
            if (c == ']' && insideBrackets && !escaped) {
                insideBrackets = false;
                out.append(c);
                continue;
            }
            if (c == '\\' && regex.startsWith("\\p{", i)) {
                int close = regex.indexOf('}', i + 3);
                String body = close < 0 ? null : CLASS_BODIES.get(regex.substring(i, close + 1));
                if (body != null) {
                    out.append(insideBrackets ? body : "[" + body + "]");
                    i = close;
                    continue;
                }
            }
            out.append(c);
        }
        return out.toString();
    }

    /**
     * ECMAScript's {@code $} matches only at the end of the input, Java's also before a final line
     * terminator; Java's {@code \z} has the ECMAScript meaning.
     */
    static String endAnchorsAtEndOfInput(String regex) {
        StringBuilder out = new StringBuilder(regex.length() + 4);
        boolean insideBrackets = false;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c == '\\' && i + 1 < regex.length()) {
                out.append(c).append(regex.charAt(++i));
                continue;
            }
            if (c == '[') {
                insideBrackets = true;
            } else if (c == ']') {
                insideBrackets = false;
            }
            out.append(c == '$' && !insideBrackets ? "\\z" : String.valueOf(c));
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return "regex " + source;
    }
}
