package io.moe4j.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * Vector shapes the block decoders share: as many bytes, shorts and ints as there are float lanes, so a
 * run of stored codes widens to exactly one float vector. Block layouts group values in runs of 16 or 32,
 * which every float species up to 512 bits divides.
 *
 * <p>At least 256 bits: the Vector API has no vector of four bytes for four float lanes to widen from. On a machine
 * whose vectors are 128 bits (NEON; or {@code -XX:MaxVectorSize=16}), where these classes failed to initialize, the
 * float code runs in 256-bit vectors that the JIT does not compile to vector instructions: correct and slow
 * ({@link #NATIVE} says which, for the launcher to tell the user). The regrouped decode copies' kernels use the
 * machine's own width ({@link InterleavedRows}).
 */
final class Lanes {
    static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED.length() >= 8 ? FloatVector.SPECIES_PREFERRED : FloatVector.SPECIES_256;
    /** Whether {@link #FLOATS} is the machine's own width, which the JIT compiles to vector instructions. */
    static final boolean NATIVE = FLOATS == FloatVector.SPECIES_PREFERRED;
    static final int LENGTH = FLOATS.length();
    static final VectorSpecies<Byte> BYTES = VectorSpecies.of(byte.class, VectorShape.forBitSize(LENGTH * 8));
    static final VectorSpecies<Short> SHORTS = VectorSpecies.of(short.class, VectorShape.forBitSize(LENGTH * 16));
    static final VectorSpecies<Integer> INTS = VectorSpecies.of(int.class, VectorShape.forBitSize(LENGTH * 32));
    /** 0, 1, 2, ... as ints: the lane number, for picking one bit per lane out of a packed word. */
    static final IntVector IOTA = IntVector.zero(INTS).addIndex(1);

    private static final VectorShuffle<Float> SWAP_8 = swap(8);
    private static final VectorShuffle<Float> SWAP_4 = swap(4);
    private static final VectorShuffle<Float> SWAP_2 = swap(2);
    private static final VectorShuffle<Float> SWAP_1 = swap(1);

    private Lanes() {
    }

    /** The shuffle that exchanges lane i with lane i^k, or null if the vector has no lane k. */
    private static VectorShuffle<Float> swap(int k) {
        return k < LENGTH ? VectorShuffle.fromOp(FLOATS, i -> i ^ k) : null;
    }

    /**
     * The sum of the lanes, added pairwise in a fixed order. {@code reduceLanes(ADD)} adds in one order when
     * interpreted and another once compiled; a one-ulp change can flip a later 8-bit or F16 rounding, so the
     * engine's results would depend on how warm the JIT is. This order is the same in both.
     */
    static float sum(FloatVector v) {
        if (LENGTH > 8) {
            v = v.add(v.rearrange(SWAP_8));
        }
        if (LENGTH > 4) {
            v = v.add(v.rearrange(SWAP_4));
        }
        v = v.add(v.rearrange(SWAP_2));
        v = v.add(v.rearrange(SWAP_1));
        return v.lane(0);
    }

    static FloatVector splat(float v) {
        return FloatVector.broadcast(FLOATS, v);
    }

    /** {@link #LENGTH} bytes at {@code offset}. */
    static ByteVector bytes(MemorySegment data, long offset) {
        return ByteVector.fromMemorySegment(BYTES, data, offset, ByteOrder.LITTLE_ENDIAN);
    }

    /** Signed bytes widened to floats. */
    static FloatVector toFloats(ByteVector b) {
        return (FloatVector) b.convertShape(VectorOperators.B2F, FLOATS, 0);
    }

    /** Unsigned bytes widened to ints. */
    static IntVector toUnsignedInts(ByteVector b) {
        return (IntVector) b.convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0);
    }

    static FloatVector toFloats(IntVector i) {
        return (FloatVector) i.convertShape(VectorOperators.I2F, FLOATS, 0);
    }

    /** bfloat16 bit patterns to floats: the top half of each float. */
    static FloatVector bf16ToFloats(MemorySegment data, long offset) {
        ShortVector s = ShortVector.fromMemorySegment(SHORTS, data, offset, ByteOrder.LITTLE_ENDIAN);
        return ((IntVector) s.convertShape(VectorOperators.S2I, INTS, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    /**
     * IEEE half-precision bit patterns to floats, exactly: the magnitude's bits shifted into a float's place
     * and scaled by 2^112 re-bias the exponent and turn subnormals into normals in one exact multiply;
     * infinities and NaNs keep an all-ones exponent.
     */
    static FloatVector halfToFloats(MemorySegment data, long offset) {
        ShortVector s = ShortVector.fromMemorySegment(SHORTS, data, offset, ByteOrder.LITTLE_ENDIAN);
        IntVector h = ((IntVector) s.convertShape(VectorOperators.S2I, INTS, 0)).and(0xFFFF);
        IntVector magnitude = h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13);
        IntVector finite = magnitude.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts();
        IntVector special = magnitude.or(0x7F800000);
        IntVector bits = finite.blend(special, h.and(0x7C00).eq(0x7C00));
        return bits.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
    }
}
