package io.moe4j.tokenizer;

/** A stretch of input after special tokens are cut out: either plain text or one special token. */
sealed interface Fragment {
    record Text(String text) implements Fragment {
    }

    record SpecialToken(int id) implements Fragment {
    }
}
