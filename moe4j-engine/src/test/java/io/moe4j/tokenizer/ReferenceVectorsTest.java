package io.moe4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * llama.cpp's tokenizer test vectors: every input string of every reference vocabulary must encode to
 * exactly the ids llama.cpp produced (no BOS/EOS added, special tokens not parsed).
 */
class ReferenceVectorsTest {
    static final List<String> VOCABULARIES = List.of("gpt-2", "llama-spm", "deepseek-llm", "deepseek-coder", "phi-3");

    @TestFactory
    Stream<DynamicContainer> encodesLikeLlamaCpp() {
        return VOCABULARIES.stream().map(name -> {
            List<String> inputs = SharedFixtures.referenceInputs(name);
            List<int[]> expected = SharedFixtures.referenceOutputs(name);
            assertThat(expected).as("%s: one line of ids per input string", name).hasSameSizeAs(inputs);
            List<DynamicTest> tests = new ArrayList<>();
            for (int i = 0; i < inputs.size(); i++) {
                String input = inputs.get(i);
                int[] ids = expected.get(i);
                tests.add(DynamicTest.dynamicTest(String.format("%02d %s", i, SharedFixtures.displayName(input)), () -> {
                    int[] actual = SharedFixtures.referenceTokenizer(name).encode(input, false, false);
                    assertThat(actual).as("ids of %s", SharedFixtures.displayName(input)).containsExactly(ids);
                }));
            }
            return DynamicContainer.dynamicContainer(name, tests);
        });
    }
}
