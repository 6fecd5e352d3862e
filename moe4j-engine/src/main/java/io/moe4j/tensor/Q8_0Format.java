package io.moe4j.tensor;

import io.moe4j.gguf.GgmlType;

import jdk.incubator.vector.FloatVector;

import java.lang.foreign.MemorySegment;

/** {@code block_q8_0}: fp16 scale d, then 32 signed bytes; x = q*d. */
final class Q8_0Format extends QuantizedFormat {

    Q8_0Format() {
        super(GgmlType.Q8_0);
    }

    @Override
    void decodeBlock(MemorySegment data, long offset, float[] dst, int dstOffset) {
        float d = Bits.f16(data, offset);
        for (int j = 0; j < 32; j += Lanes.LENGTH) {
            Lanes.signedBytes(data, offset + 2 + j).mul(d).intoArray(dst, dstOffset + j);
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
            for (int j = 0; j < 32; j += Lanes.LENGTH) {
                sum = Lanes.signedBytes(data, at + 2 + j).fma(FloatVector.fromArray(Lanes.FLOATS, x, xo + j), sum);
            }
            acc = sum.fma(Lanes.splat(Bits.f16(data, at) * xd), acc);
        }
        return Lanes.sum(acc);
    }

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
                for (int j = 0; j < 32; j += Lanes.LENGTH) {
                    FloatVector xv = FloatVector.fromArray(Lanes.FLOATS, x, xo + j);
                    sum0 = Lanes.signedBytes(data, o0 + at + 2 + j).fma(xv, sum0);
                    sum1 = Lanes.signedBytes(data, o1 + at + 2 + j).fma(xv, sum1);
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
        float amax = 0f;
        for (int j = 0; j < 32; j++) {
            amax = Math.max(amax, Math.abs(x[o + j]));
        }
        float d = amax / 127;
        float id = d != 0f ? 1.0f / d : 0f;
        Bits.putF16(block, 0, d);
        for (int j = 0; j < 32; j++) {
            block[2 + j] = (byte) QuantMath.roundf(x[o + j] * id);
        }
    }
}
