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

    Q4_0Format() {
        super(GgmlType.Q4_0);
    }

    @Override
    void decodeBlock(MemorySegment data, long offset, float[] dst, int dstOffset) {
        float d = Bits.f16(data, offset);
        for (int j = 0; j < 16; j += Lanes.LENGTH) {
            IntVector q = Lanes.toUnsignedInts(Lanes.bytes(data, offset + 2 + j));
            Lanes.toFloats(q.and(0x0F).sub(8)).mul(d).intoArray(dst, dstOffset + j);
            Lanes.toFloats(q.lanewise(VectorOperators.LSHR, 4).sub(8)).mul(d).intoArray(dst, dstOffset + j + 16);
        }
    }

    @Override
    public float dot(MemorySegment data, long offset, float[] x, int xOffset, float[] xScales, int scaleOffset, int count) {
        int blocks = checkedBlocks(x, xOffset, xScales, scaleOffset, count);
        FloatVector acc = FloatVector.zero(Lanes.FLOATS);
        for (int b = 0; b < blocks; b++) {
            long at = offset + (long) b * blockBytes;
            float xd = xScales == null ? 1f : xScales[scaleOffset + b];
            int xo = xOffset + b * blockSize;
            FloatVector sum = FloatVector.zero(Lanes.FLOATS);
            for (int j = 0; j < 16; j += Lanes.LENGTH) {
                IntVector q = Lanes.toUnsignedInts(Lanes.bytes(data, at + 2 + j));
                sum = Lanes.toFloats(q.and(0x0F).sub(8)).fma(FloatVector.fromArray(Lanes.FLOATS, x, xo + j), sum);
                sum = Lanes.toFloats(q.lanewise(VectorOperators.LSHR, 4).sub(8)).fma(FloatVector.fromArray(Lanes.FLOATS, x, xo + j + 16), sum);
            }
            acc = sum.fma(Lanes.splat(Bits.f16(data, at) * xd), acc);
        }
        return Lanes.sum(acc);
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
