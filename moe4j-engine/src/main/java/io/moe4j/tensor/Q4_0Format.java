package io.moe4j.tensor;

import io.moe4j.gguf.GgmlType;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

/**
 * {@code block_q4_0}: fp16 scale d, then 16 bytes whose low nibbles are values 0..15 and high nibbles values
 * 16..31; x = (q-8)*d. The scale is chosen from the signed value of largest magnitude so that it maps to -8
 * exactly, which uses the asymmetric range fully.
 */
final class Q4_0Format extends QuantizedFormat {

    /**
     * The block size in bytes as a literal for {@link #dot}: with it the JIT proves the loop's indices in range
     * and unrolls it (long rows read 6-12% faster, measured on 2048-wide rows); short rows, where the unrolled
     * loop's set-up costs more than it saves, go through {@link #dot4}.
     */
    private static final int BLOCK_BYTES = 18;

    Q4_0Format() {
        super(GgmlType.Q4_0);
    }

    @Override
    void decodeBlock(MemorySegment data, long offset, float[] dst, int dstOffset) {
        float d = Bits.f16(data, offset);
        for (int j = 0; j < 16; j += Lanes.LENGTH) {
            IntVector q = Lanes.unsignedBytes(data, offset + 2 + j);
            Lanes.toFloats(q.and(0x0F).sub(8)).mul(d).intoArray(dst, dstOffset + j);
            Lanes.toFloats(q.lanewise(VectorOperators.LSHR, 4).sub(8)).mul(d).intoArray(dst, dstOffset + j + 16);
        }
    }

    @Override
    public float dot(MemorySegment data, long offset, float[] x, int xOffset, float[] xScales, int scaleOffset, int count) {
        int blocks = checkedBlocks(x, xOffset, xScales, scaleOffset, count);
        FloatVector acc = FloatVector.zero(Lanes.FLOATS);
        for (int b = 0; b < blocks; b++) {
            long at = offset + (long) b * BLOCK_BYTES;
            float xd = xScales == null ? 1f : xScales[scaleOffset + b];
            int xo = xOffset + b * 32;
            FloatVector sum = FloatVector.zero(Lanes.FLOATS);
            for (int j = 0; j < 16; j += Lanes.LENGTH) {
                IntVector q = Lanes.unsignedBytes(data, at + 2 + j);
                sum = Lanes.toFloats(q.and(0x0F).sub(8)).fma(FloatVector.fromArray(Lanes.FLOATS, x, xo + j), sum);
                sum = Lanes.toFloats(q.lanewise(VectorOperators.LSHR, 4).sub(8)).fma(FloatVector.fromArray(Lanes.FLOATS, x, xo + j + 16), sum);
            }
            acc = sum.fma(Lanes.splat(Bits.f16(data, at) * xd), acc);
        }
        return Lanes.sum(acc);
    }

    /**
     * Two rows at a time (a loop over the two pairs, so the JIT compiles one pair's body): four rows' bodies
     * written out pass its inlining node limit, and it stops compiling them to vector instructions.
     */
    @Override
    public void dot4(MemorySegment data, long offset, long rowBytes, float[] x, int xOffset, float[] xScales, int scaleOffset,
                     int count, float[] out, int outOffset) {
        int blocks = checkedBlocks(x, xOffset, xScales, scaleOffset, count);
        for (int pair = 0; pair < 2; pair++) {
            long o0 = offset + 2 * pair * rowBytes;
            long o1 = o0 + rowBytes;
            FloatVector acc0 = FloatVector.zero(Lanes.FLOATS);
            FloatVector acc1 = acc0;
            for (int b = 0; b < blocks; b++) {
                long at = (long) b * blockBytes;
                float xd = xScales == null ? 1f : xScales[scaleOffset + b];
                int xo = xOffset + b * blockSize;
                FloatVector sum0 = FloatVector.zero(Lanes.FLOATS);
                FloatVector sum1 = sum0;
                for (int j = 0; j < 16; j += Lanes.LENGTH) {
                    FloatVector lo = FloatVector.fromArray(Lanes.FLOATS, x, xo + j);
                    FloatVector hi = FloatVector.fromArray(Lanes.FLOATS, x, xo + j + 16);
                    IntVector q = Lanes.unsignedBytes(data, o0 + at + 2 + j);
                    sum0 = Lanes.toFloats(q.and(0x0F).sub(8)).fma(lo, sum0);
                    sum0 = Lanes.toFloats(q.lanewise(VectorOperators.LSHR, 4).sub(8)).fma(hi, sum0);
                    q = Lanes.unsignedBytes(data, o1 + at + 2 + j);
                    sum1 = Lanes.toFloats(q.and(0x0F).sub(8)).fma(lo, sum1);
                    sum1 = Lanes.toFloats(q.lanewise(VectorOperators.LSHR, 4).sub(8)).fma(hi, sum1);
                }
                acc0 = sum0.fma(Lanes.splat(Bits.f16(data, o0 + at) * xd), acc0);
                acc1 = sum1.fma(Lanes.splat(Bits.f16(data, o1 + at) * xd), acc1);
            }
            out[outOffset + 2 * pair] = Lanes.sum(acc0);
            out[outOffset + 2 * pair + 1] = Lanes.sum(acc1);
        }
    }

    @Override
    void encodeBlock(float[] x, int o, byte[] block) {
        float max = QuantMath.signedAbsMax(x, o, 32);
        float d = max / -8;
        float id = d != 0f ? 1.0f / d : 0f;
        Bits.putF16(block, 0, d);
        for (int j = 0; j < 16; j++) {
            int q0 = Math.min(15, (byte) (int) (x[o + j] * id + 8.5f));
            int q1 = Math.min(15, (byte) (int) (x[o + j + 16] * id + 8.5f));
            block[2 + j] = (byte) (q0 | (q1 << 4));
        }
    }
}
