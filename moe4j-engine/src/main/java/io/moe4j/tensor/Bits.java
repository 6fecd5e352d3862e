package io.moe4j.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Little-endian field access and the number conversions ggml uses. GGUF data is little-endian whatever the
 * host, and tensor data is only guaranteed 32-byte aligned per tensor (blocks of 18, 22, 210... bytes are
 * not aligned at all), hence the unaligned layouts.
 */
final class Bits {
    static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Bits() {
    }

    static int u8(MemorySegment s, long offset) {
        return s.get(U8, offset) & 0xFF;
    }

    static int s8(MemorySegment s, long offset) {
        return s.get(U8, offset);
    }

    static int u32(MemorySegment s, long offset) {
        return s.get(U32, offset);
    }

    static float f16(MemorySegment s, long offset) {
        return Float.float16ToFloat(s.get(U16, offset));
    }

    static float bf16(MemorySegment s, long offset) {
        return bf16ToFloat(s.get(U16, offset));
    }

    static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /**
     * ggml's fp32→bf16: round to nearest even, NaNs kept NaN by forcing the quiet bit (plain truncation of a
     * NaN whose payload sits in the low 16 bits would turn it into an infinity).
     */
    static short floatToBf16(float f) {
        int u = Float.floatToRawIntBits(f);
        if ((u & 0x7FFFFFFF) > 0x7F800000) {
            return (short) ((u >>> 16) | 64);
        }
        return (short) ((u + (0x7FFF + ((u >>> 16) & 1))) >>> 16);
    }

    /** Writes a float as fp16, rounding to nearest even as ggml's FP32_TO_FP16 (and F16C) do. */
    static void putF16(byte[] b, int at, float v) {
        putU16(b, at, Float.floatToFloat16(v));
    }

    /** The float an fp16 field will read back as: the scale the dequantizer will actually use. */
    static float roundTripF16(float v) {
        return Float.float16ToFloat(Float.floatToFloat16(v));
    }

    static void putU16(byte[] b, int at, short v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >> 8);
    }

    static void putU32(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >> 8);
        b[at + 2] = (byte) (v >> 16);
        b[at + 3] = (byte) (v >> 24);
    }

    static int u32(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | (b[at + 3] & 0xFF) << 24;
    }

    static float f16(byte[] b, int at) {
        return Float.float16ToFloat((short) ((b[at] & 0xFF) | (b[at + 1] << 8)));
    }
}
