package io.moe4j.cli;

import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** The text a command scores or traces: token ids from a file, or text to tokenize. Used as an exclusive group. */
final class TokenInput {
    @Option(names = "--tokens", paramLabel = "FILE.bin", description = "Token ids as uint16 little-endian (like corpus/valid.bin).")
    Path tokens;

    @Option(names = "--text", paramLabel = "FILE", description = "A text file, tokenized with the model's tokenizer.")
    Path text;

    /** The token ids, each checked against the model's vocabulary. */
    int[] ids(LoadedModel loaded) {
        int[] ids = tokens != null ? readTokens(tokens) : loaded.tokenizer().encode(readText(text), false, true);
        int vocab = loaded.model().config().vocabularySize();
        for (int id : ids) {
            if (id >= vocab) {
                throw new UserError("token id " + id + " in the input is outside the model's vocabulary of " + vocab);
            }
        }
        return ids;
    }

    static int[] readTokens(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            if (bytes.length % 2 != 0) {
                throw new UserError(file + " has an odd number of bytes: expected uint16 token ids");
            }
            ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            int[] ids = new int[bytes.length / 2];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = Short.toUnsignedInt(b.getShort());
            }
            return ids;
        } catch (IOException e) {
            throw new UserError("cannot read " + file + ": " + e.getMessage());
        }
    }

    static String readText(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UserError("cannot read " + file + ": " + e.getMessage());
        }
    }
}
