package io.moe4j.tokenizer;

/**
 * A text being pre-tokenized, with the two derived forms llama.cpp matches regexes against; each is
 * built on first use.
 */
final class PreTokenizerText {
    private static final char WHITESPACE_STAND_IN = '\u000B';

    private final int[] codePoints;
    private String collapsed;
    private String folded;
    private int[] foldedCharOffsets;

    PreTokenizerText(int[] codePoints) {
        this.codePoints = codePoints;
    }

    int length() {
        return codePoints.length;
    }

    int codePointAt(int index) {
        return codePoints[index];
    }

    /**
     * One char per code point: ASCII kept, every other code point replaced by a stand-in for its
     * category. llama.cpp runs regexes that use {@code \p{..}} on this form because std::regex has no
     * Unicode classes; {@link RegexSplit} rewrites those classes to match the stand-ins.
     */
    String collapsed() {
        if (collapsed == null) {
            char[] chars = new char[codePoints.length];
            for (int i = 0; i < chars.length; i++) {
                chars[i] = collapse(codePoints[i]);
            }
            collapsed = new String(chars);
        }
        return collapsed;
    }

    /**
     * The text with non-ASCII whitespace replaced by a vertical tab, which is what llama.cpp matches
     * category-free regexes against (std::wregex's {@code \s} only knows ASCII whitespace).
     */
    String folded() {
        if (folded == null) {
            StringBuilder sb = new StringBuilder(codePoints.length + 16);
            foldedCharOffsets = new int[codePoints.length + 1];
            for (int i = 0; i < codePoints.length; i++) {
                foldedCharOffsets[i] = sb.length();
                int cp = codePoints[i];
                if (cp > 0x7F && CodepointFlags.isWhitespace(cp)) {
                    sb.append(WHITESPACE_STAND_IN);
                } else {
                    sb.appendCodePoint(cp);
                }
            }
            foldedCharOffsets[codePoints.length] = sb.length();
            folded = sb.toString();
        }
        return folded;
    }

    /** The char index in {@link #folded()} where code point {@code index} starts. */
    int foldedCharOffset(int index) {
        folded();
        return foldedCharOffsets[index];
    }

    /** The code point index of a char index in {@link #folded()} that starts a code point. */
    int codePointIndexOfFoldedChar(int charIndex) {
        folded();
        int i = java.util.Arrays.binarySearch(foldedCharOffsets, charIndex);
        if (i < 0) {
            throw new IllegalStateException("char index " + charIndex + " splits a code point");
        }
        return i;
    }

    private static char collapse(int cp) {
        if (cp < 0x80) {
            return (char) cp;
        }
        int flags = CodepointFlags.of(cp);
        if ((flags & CodepointFlags.WHITESPACE) != 0) {
            return WHITESPACE_STAND_IN;
        }
        return switch (flags & CodepointFlags.CATEGORY_MASK) {
            case CodepointFlags.NUMBER -> RegexSplit.NUMBER_STAND_IN;
            case CodepointFlags.LETTER -> RegexSplit.LETTER_STAND_IN;
            case CodepointFlags.PUNCTUATION -> RegexSplit.PUNCTUATION_STAND_IN;
            case CodepointFlags.ACCENT_MARK -> RegexSplit.ACCENT_MARK_STAND_IN;
            case CodepointFlags.SYMBOL -> RegexSplit.SYMBOL_STAND_IN;
            default -> RegexSplit.OTHER_STAND_IN;
        };
    }
}
