package io.moe4j.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

/**
 * Q8_0 in groups of 32 rows ({@link InterleavedRows}), multiplied in 32-bit integers: a block's sum is at most
 * 32·128·127 in magnitude.
 *
 * <p>Layout of a group's block (1088 bytes): the 32 scales, then 32 runs of 32 bytes; byte r of run e is code e
 * of row r. Each half of a run widens to 16 32-bit lanes (rows 0-15, 16-31) multiplied with one broadcast
 * activation code.
 */
final class InterleavedQ8_0 extends InterleavedRows {
    private static final int BLOCK_BYTES = 34 * GROUP;
    private static final VectorSpecies<Byte> HALF_RUN = ByteVector.SPECIES_128;

    InterleavedQ8_0(MemorySegment data, int blocks, int groups) {
        super(data, blocks, groups);
    }

    /** The block at {@code from} in each of 32 rows {@code rowBytes} apart into {@code out[at..at+1088)}; false if a scale is not finite. */
    static boolean regroupBlock(byte[] in, int rowBytes, int from, byte[] out, int at) {
        for (int r = 0; r < GROUP; r++) {
            int codes = r * rowBytes + from + 2;
            for (int e = 0; e < 32; e++) {
                out[at + 2 * GROUP + GROUP * e + r] = in[codes + e];
            }
        }
        return regroupHalves(in, rowBytes, from, out, at);
    }

    @Override
    void dot(int group, short[] a, short[] sums, float[] scales, float[] out, int outOffset) {
        checkActivation(a, sums, scales, 32);
        MemorySegment seg = data;
        long groupOffset = (long) group * blocks * BLOCK_BYTES;
        FloatVector low = FloatVector.zero(FLOATS);
        FloatVector high = low;
        for (int b = 0; b < blocks; b++) {
            long base = groupOffset + (long) b * BLOCK_BYTES;
            int k = b * 32;
            IntVector s0 = IntVector.zero(INTS);
            IntVector s1 = s0;
            for (int e = 0; e < 32; e += 2) {
                int ae = a[k + e];
                int af = a[k + e + 1];
                s0 = s0.add(codes(seg, base + 64 + 32 * e).mul(ae)).add(codes(seg, base + 96 + 32 * e).mul(af));
                s1 = s1.add(codes(seg, base + 80 + 32 * e).mul(ae)).add(codes(seg, base + 112 + 32 * e).mul(af));
            }
            float xs = scales[b];
            low = ((FloatVector) s0.convertShape(VectorOperators.I2F, FLOATS, 0)).fma(halfScales(seg, base).mul(xs), low);
            high = ((FloatVector) s1.convertShape(VectorOperators.I2F, FLOATS, 0)).fma(halfScales(seg, base + 32).mul(xs), high);
        }
        low.intoArray(out, outOffset);
        high.intoArray(out, outOffset + 16);
    }

    /** 16 signed code bytes widened to 32-bit lanes. */
    private static IntVector codes(MemorySegment seg, long at) {
        return (IntVector) ByteVector.fromMemorySegment(HALF_RUN, seg, at, LE).convertShape(VectorOperators.B2I, INTS, 0);
    }
}
