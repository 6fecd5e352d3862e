package io.moe4j.trace;

/**
 * What a routing trace describes: the model's shape and the routing that produced it.
 *
 * @param nativeTopK the model's own experts per token (a policy may choose more or fewer)
 * @param routing    the routing spec in force, e.g. {@code native} or {@code topp:0.6}
 */
public record TraceHeader(int version, int layerCount, int expertCount, int nativeTopK, String model, String routing) {

    public TraceHeader {
        if (layerCount < 1 || layerCount > 0xFFFF || expertCount < 1 || expertCount > 0xFFFF) {
            throw new IllegalArgumentException("trace needs 1-65535 layers and experts, got " + layerCount + " and " + expertCount);
        }
    }

    /** Expert ids (and per-layer counts) take one byte up to 256 experts, two above. */
    public int idBytes() {
        return expertCount <= 256 ? 1 : 2;
    }
}
