package io.moe4j.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts special tokens out of text before the tokenizer model sees it, as llama.cpp does: each special
 * token, longest first, is searched for in every remaining text fragment. User-defined tokens are
 * always cut out; control and unknown tokens only when the caller asks for special tokens to be parsed.
 */
final class SpecialTokenSplitter {
    private final Vocabulary vocabulary;
    private final int[] specialTokens;

    SpecialTokenSplitter(Vocabulary vocabulary) {
        this.vocabulary = vocabulary;
        this.specialTokens = vocabulary.specialTokensLongestFirst();
    }

    List<Fragment> split(String text, boolean parseSpecial) {
        List<Fragment> fragments = new ArrayList<>();
        if (text.isEmpty()) {
            return fragments;
        }
        fragments.add(new Fragment.Text(text));
        for (int id : specialTokens) {
            if (!parseSpecial && vocabulary.hasAttr(id, TokenAttr.CONTROL | TokenAttr.UNKNOWN)) {
                continue;
            }
            fragments = cutOut(fragments, id);
        }
        return fragments;
    }

    private List<Fragment> cutOut(List<Fragment> fragments, int id) {
        String token = vocabulary.text(id);
        boolean stripLeft = vocabulary.hasAttr(id, TokenAttr.LSTRIP);
        boolean stripRight = vocabulary.hasAttr(id, TokenAttr.RSTRIP);
        List<Fragment> out = new ArrayList<>(fragments.size() + 4);
        for (Fragment fragment : fragments) {
            if (!(fragment instanceof Fragment.Text(String text)) || !text.contains(token)) {
                out.add(fragment);
                continue;
            }
            int from = 0;
            int match;
            while ((match = text.indexOf(token, from)) >= 0) {
                int leftEnd = match;
                if (stripLeft) {
                    while (leftEnd > from && isAsciiSpace(text.charAt(leftEnd - 1))) {
                        leftEnd--;
                    }
                }
                if (leftEnd > from) {
                    out.add(new Fragment.Text(text.substring(from, leftEnd)));
                }
                out.add(new Fragment.SpecialToken(id));
                from = match + token.length();
                if (stripRight) {
                    while (from < text.length() && isAsciiSpace(text.charAt(from))) {
                        from++;
                    }
                }
            }
            if (from < text.length()) {
                out.add(new Fragment.Text(text.substring(from)));
            }
        }
        return out;
    }

    /** C's isspace in the "C" locale, which llama.cpp uses for stripping. */
    private static boolean isAsciiSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }
}
