package io.moe4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moe4j.gguf.GgufException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PreTokenizerTest {

    private static List<String> split(PreTokenizerType type, String text) {
        return type.newPreTokenizer().split(text);
    }

    private static List<String> split(SplitPass pass, String text) {
        return new PreTokenizer(List.of(pass)).split(text);
    }

    @Test
    void gpt2KeepsALeadingSpaceWithTheWordAndLeavesTheLastSpaceOfARunToTheNextWord() {
        assertThat(split(PreTokenizerType.GPT2, "Hello  world's 123!!")).containsExactly("Hello", " ", " world", "'s", " 123", "!!");
        assertThat(split(PreTokenizerType.GPT2, "a\n\n\tb  ")).containsExactly("a", "\n\n", "\t", "b", "  ");
        assertThat(split(PreTokenizerType.GPT2, " 🦙.cpp")).containsExactly(" 🦙.", "cpp");
    }

    @Test
    void llama3GroupsDigitsByThreeAndKeepsLineBreaksWithPunctuation() {
        assertThat(split(PreTokenizerType.LLAMA3, "12345 HELLO'S")).containsExactly("123", "45", " HELLO", "'S");
        assertThat(split(PreTokenizerType.LLAMA3, "x!!\n\ny")).containsExactly("x", "!!\n\n", "y");
        assertThat(split(PreTokenizerType.LLAMA3, "\t\tfoo  \n bar")).containsExactly("\t", "\tfoo", "  \n", " bar");
    }

    @Test
    void qwen2SplitsEveryDigitAndTreatsNonAsciiLettersAsLetters() {
        assertThat(split(PreTokenizerType.QWEN2, "héllo wörld 2024")).containsExactly("héllo", " wörld", " ", "2", "0", "2", "4");
        assertThat(split(PreTokenizerType.QWEN2, "Zahl:١٢")).containsExactly("Zahl", ":", "١", "٢");
    }

    @Test
    void deepseekCoderSplitsLinesDigitsAndCjkRuns() {
        assertThat(split(PreTokenizerType.DEEPSEEK_CODER, "ab12\n你好x")).containsExactly("ab", "1", "2", "\n", "你好", "x");
    }

    @Test
    void regexPassesOnlyMatchWithinThePiecesOfEarlierPasses() {
        // "[\r\n]" isolates the newline, so "\s+$" sees "b  " as its own piece and takes its trailing spaces
        assertThat(split(PreTokenizerType.DEEPSEEK_LLM, "a b  \nc")).containsExactly("a", " b", "  ", "\n", "c");
    }

    @Test
    void unicodeClassesAreRewrittenForTheCollapsedText() {
        assertThat(RegexSplit.rewriteForCollapsedText("[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"))
                .isEqualTo("[^\\r\\n\\xD2\\x41-\\x5A\\x61-\\x7A\\xD1\\x30-\\x39]?[\\xD2\\x41-\\x5A\\x61-\\x7A]+");
        assertThat(RegexSplit.endAnchorsAtEndOfInput("\\s+$|[$]|\\$")).isEqualTo("\\s+\\z|[$]|\\$");
    }

    @Test
    void collapsedTextMapsNonAsciiToCategoryStandIns() {
        PreTokenizerText text = new PreTokenizerText(Utf8.codePoints("aé٣\u00A0🦙,"));
        assertThat(text.collapsed()).isEqualTo("a\u00D2\u00D1\u000B\u00D5,");
    }

    /** llama.cpp replaces two regexes by scanners; the scanners must split exactly as the regexes would. */
    @Test
    void scannersAgreeWithTheRegexesTheyReplace() {
        List<String> samples = new ArrayList<>(SharedFixtures.referenceInputs("gpt-2"));
        String corpus = SharedFixtures.read(SharedFixtures.sharedDir().resolve("corpus/valid.txt"));
        samples.add(corpus.substring(0, 60_000));
        samples.add("it's 'RE 'Ll 1234567 a\u3000b\u2028c \u0085 x\r\n\r\n y\t \tz ¿ñ? ٣٤ 🦙🦙 \uFFFF end  ");

        for (String sample : samples) {
            assertThat(split(new Gpt2Split(), sample)).as("gpt-2 on %s", SharedFixtures.displayName(sample))
                    .isEqualTo(split(new RegexSplit(Gpt2Split.REGEX), sample));
            assertThat(split(new Llama3Split(), sample)).as("llama3 on %s", SharedFixtures.displayName(sample))
                    .isEqualTo(split(new RegexSplit(Llama3Split.REGEX), sample));
        }
    }

    @Test
    void preTokenizerNamesFollowLlamaCpp() {
        assertThat(PreTokenizerType.forName("olmo")).isEqualTo(PreTokenizerType.GPT2);
        assertThat(PreTokenizerType.forName("llama-bpe")).isEqualTo(PreTokenizerType.LLAMA3);
        assertThat(PreTokenizerType.forName(null)).isEqualTo(PreTokenizerType.DEFAULT);
        assertThat(PreTokenizerType.LLAMA3.ignoreMerges()).isTrue();
        assertThat(PreTokenizerType.LLAMA3.addBosByDefault()).isTrue();
        assertThatThrownBy(() -> PreTokenizerType.forName("my-pre")).isInstanceOf(GgufException.class)
                .hasMessageContaining("unknown pre-tokenizer").hasMessageContaining("'my-pre'");
        assertThatThrownBy(() -> PreTokenizerType.forName("tekken")).isInstanceOf(GgufException.class)
                .hasMessageContaining("'tekken'").hasMessageContaining("not supported");
    }
}
