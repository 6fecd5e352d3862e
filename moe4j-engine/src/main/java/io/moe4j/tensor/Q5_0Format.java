package io.moe4j.tensor;

import io.moe4j.gguf.GgmlType;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

/**
 * {@code block_q5_0}: fp16 scale d, a little-endian uint32 holding the fifth bit of value j at bit j, then
 * 16 bytes of low nibbles laid out as in Q4_0; x = (q-16)*d.
 */
final class Q5_0Format extends QuantizedFormat {

    Q5_0Format() {
        super(GgmlType.Q5_0);
    }

    @Override
    void decodeBlock(MemorySegment data, long offset, float[] dst, int dstOffset) {
        float d = Bits.f16(data, offset);
        IntVector qh = IntVector.broadcast(Lanes.INTS, Bits.u32(data, offset + 2));
        for (int j = 0; j < 16; j += Lanes.LENGTH) {
            IntVector q = Lanes.unsignedBytes(data, offset + 6 + j);
            IntVector bit = Lanes.IOTA.add(j);
            IntVector high0 = qh.lanewise(VectorOperators.LSHR, bit).and(1).lanewise(VectorOperators.LSHL, 4);
            IntVector high1 = qh.lanewise(VectorOperators.LSHR, bit.add(12)).and(0x10);
            Lanes.toFloats(q.and(0x0F).or(high0).sub(16)).mul(d).intoArray(dst, dstOffset + j);
            Lanes.toFloats(q.lanewise(VectorOperators.LSHR, 4).or(high1).sub(16)).mul(d).intoArray(dst, dstOffset + j + 16);
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
            IntVector qh = IntVector.broadcast(Lanes.INTS, Bits.u32(data, at + 2));
            FloatVector sum = FloatVector.zero(Lanes.FLOATS);
            for (int j = 0; j < 16; j += Lanes.LENGTH) {
                IntVector q = Lanes.unsignedBytes(data, at + 6 + j);
                IntVector bit = Lanes.IOTA.add(j);
                IntVector high0 = qh.lanewise(VectorOperators.LSHR, bit).and(1).lanewise(VectorOperators.LSHL, 4);
                IntVector high1 = qh.lanewise(VectorOperators.LSHR, bit.add(12)).and(0x10);
                sum = Lanes.toFloats(q.and(0x0F).or(high0).sub(16)).fma(FloatVector.fromArray(Lanes.FLOATS, x, xo + j), sum);
                sum = Lanes.toFloats(q.lanewise(VectorOperators.LSHR, 4).or(high1).sub(16)).fma(FloatVector.fromArray(Lanes.FLOATS, x, xo + j + 16), sum);
            }
            acc = sum.fma(Lanes.splat(Bits.f16(data, at) * xd), acc);
        }
        return Lanes.sum(acc);
    }

    @Override
    void encodeBlock(float[] x, int o, byte[] block) {
        float max = QuantMath.signedAbsMax(x, o, 32);
        float d = max / -16;
        float id = d != 0f ? 1.0f / d : 0f;
        Bits.putF16(block, 0, d);
        int qh = 0;
        for (int j = 0; j < 16; j++) {
            int q0 = Math.min(31, (byte) (int) (x[o + j] * id + 16.5f));
            int q1 = Math.min(31, (byte) (int) (x[o + j + 16] * id + 16.5f));
            block[6 + j] = (byte) ((q0 & 0x0F) | ((q1 & 0x0F) << 4));
            qh |= ((q0 & 0x10) >>> 4) << j;
            qh |= ((q1 & 0x10) >>> 4) << (j + 16);
        }
        Bits.putU32(block, 2, qh);
    }
}
