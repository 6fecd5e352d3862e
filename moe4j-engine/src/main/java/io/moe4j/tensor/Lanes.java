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
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Vector shapes the block decoders share: the machine's own float vectors, and as many shorts and ints as there are
 * float lanes, so that a run of stored codes widens to exactly one float vector. Block layouts group values in runs
 * of 16 or 32, which every float species from 128 to 512 bits divides.
 *
 * <p>Codes are read through {@link #unsignedBytes} and {@link #signedBytes}: with eight or more float lanes a byte
 * vector of as many lanes, widened; with four (128-bit vectors: NEON, or {@code -XX:MaxVectorSize=16}), for which
 * the Vector API has no vector of four bytes, one 32-bit word broadcast and each lane shifting out its own byte.
 * (Until 2026-12-01 these classes took 256-bit vectors at the least, which a 128-bit machine's JIT does not compile
 * to vector instructions: tiny-code-moe Q8_0 prefilled at 26 tok/s there, against 3,573 at 256 bits.)
 */
final class Lanes {
    static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED.length() >= 4 ? FloatVector.SPECIES_PREFERRED : FloatVector.SPECIES_128;
    /** Whether {@link #FLOATS} is the machine's own width, which the JIT compiles to vector instructions. */
    static final boolean NATIVE = FLOATS == FloatVector.SPECIES_PREFERRED;
    static final int LENGTH = FLOATS.length();
    /** Bytes for {@link #LENGTH} lanes, or null with four lanes (no 32-bit byte vector): those read a word instead. */
    private static final VectorSpecies<Byte> BYTES = LENGTH >= 8 ? VectorSpecies.of(byte.class, VectorShape.forBitSize(LENGTH * 8)) : null;
    static final VectorSpecies<Short> SHORTS = VectorSpecies.of(short.class, VectorShape.forBitSize(LENGTH * 16));
    static final VectorSpecies<Integer> INTS = VectorSpecies.of(int.class, VectorShape.forBitSize(LENGTH * 32));
    /** 0, 1, 2, ... as ints: the lane number, for picking one bit per lane out of a packed word. */
    static final IntVector IOTA = IntVector.zero(INTS).addIndex(1);

    /** The shuffles of {@link #sum}, for a kernel that writes it out ({@link F16Format#dot}). */
    static final VectorShuffle<Float> SWAP_8 = swap(8);
    static final VectorShuffle<Float> SWAP_4 = swap(4);
    static final VectorShuffle<Float> SWAP_2 = swap(2);
    static final VectorShuffle<Float> SWAP_1 = swap(1);

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

    /** With four lanes: how far each lane shifts a little-endian word right to bring its own byte to the bottom. */
    private static final IntVector BYTE_DOWN = LENGTH == 4 ? IntVector.fromArray(INTS, new int[] {0, 8, 16, 24}, 0) : null;
    /** With four lanes: how far each lane shifts a word left to bring its own byte to the top (for the sign). */
    private static final IntVector BYTE_UP = LENGTH == 4 ? IntVector.fromArray(INTS, new int[] {24, 16, 8, 0}, 0) : null;
    private static final ValueLayout.OfInt WORD = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** The {@link #LENGTH} bytes at {@code offset}, unsigned, one to a lane. */
    static IntVector unsignedBytes(MemorySegment data, long offset) {
        if (BYTES == null) {
            return IntVector.broadcast(INTS, data.get(WORD, offset)).lanewise(VectorOperators.LSHR, BYTE_DOWN).and(0xFF);
        }
        return (IntVector) ByteVector.fromMemorySegment(BYTES, data, offset, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0);
    }

    /** The {@link #LENGTH} bytes at {@code offset}, signed, as floats. */
    static FloatVector signedBytes(MemorySegment data, long offset) {
        if (BYTES == null) {
            return toFloats(IntVector.broadcast(INTS, data.get(WORD, offset)).lanewise(VectorOperators.LSHL, BYTE_UP)
                    .lanewise(VectorOperators.ASHR, 24));
        }
        return (FloatVector) ByteVector.fromMemorySegment(BYTES, data, offset, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.B2F, FLOATS, 0);
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
