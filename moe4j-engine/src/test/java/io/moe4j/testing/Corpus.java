package io.moe4j.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;

/** The held-out corpus token ids ({@code corpus/valid.bin}, uint16 little-endian). */
public final class Corpus {
    private Corpus() {
    }

    public static int[] validTokens() throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(Shared.file("corpus/valid.bin"))).order(ByteOrder.LITTLE_ENDIAN);
        int[] ids = new int[b.remaining() / 2];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = Short.toUnsignedInt(b.getShort());
        }
        return ids;
    }
}
