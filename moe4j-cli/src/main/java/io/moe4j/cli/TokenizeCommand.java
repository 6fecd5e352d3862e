package io.moe4j.cli;

import io.moe4j.gguf.GgufFile;
import io.moe4j.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

@Command(name = "tokenize", mixinStandardHelpOptions = true, description = "Print the token ids of a text, space separated.")
final class TokenizeCommand implements Runnable {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "MODEL", description = "GGUF file (a vocabulary-only file works too).")
    Path model;

    @Option(names = {"-p", "--prompt"}, required = true, paramLabel = "TEXT", description = "Text to tokenize.")
    String text;

    @Option(names = "--no-special", description = "Add no BOS/EOS and treat special-token texts as plain text.")
    boolean noSpecial;

    @Option(names = "--show-pieces", description = "Print each id with its text.")
    boolean showPieces;

    @Override
    public void run() {
        if (!Files.isRegularFile(model)) {
            throw new UserError("model file not found: " + model);
        }
        try (GgufFile f = GgufFile.open(model)) {
            Tokenizer tokenizer = Tokenizer.fromGguf(f.metadata());
            int[] ids = tokenizer.encode(text, !noSpecial, !noSpecial);
            if (showPieces) {
                for (int id : ids) {
                    System.out.printf("%6d  '%s'%n", id, tokenizer.decode(new int[] {id}).replace("\n", "\\n"));
                }
            } else {
                System.out.println(Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(" ")));
            }
        }
    }
}
