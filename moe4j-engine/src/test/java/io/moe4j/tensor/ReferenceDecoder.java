package io.moe4j.tensor;

import io.moe4j.gguf.GgmlType;

/**
 * A second, deliberately different decoder for the ggml block layouts, used as the oracle for the production
 * one. Written from the layout description one element at a time: each value's bits are located by absolute
 * bit position in the block (LSB-first within bytes) and pulled out with a generic bit reader, and fp16 is
 * decoded by hand. It shares no code with the production decoders; only the float formulas (which must be
 * ggml's, in ggml's order) are the same.
 */
final class ReferenceDecoder {
    private ReferenceDecoder() {
    }

    /** Decodes one block (or one element for plain types) from {@code b[at..]}. */
    static float[] decode(GgmlType type, byte[] b, int at) {
        float[] out = new float[type.blockSize()];
        for (int e = 0; e < out.length; e++) {
            out[e] = element(type, b, at, e);
        }
        return out;
    }

    static float element(GgmlType type, byte[] b, int at, int e) {
        int base = 8 * at;
        switch (type) {
            case F32 -> {
                return Float.intBitsToFloat(bits(b, base, 32));
            }
            case F16 -> {
                return half(bits(b, base, 16));
            }
            case BF16 -> {
                return Float.intBitsToFloat(bits(b, base, 16) * 65536);
            }
            case Q8_0 -> {
                float d = half(bits(b, base, 16));
                int q = signed(bits(b, base + 16 + 8 * e, 8), 8);
                return q * d;
            }
            case Q4_0 -> {
                float d = half(bits(b, base, 16));
                int q = bits(b, base + 16 + nibbleBit(e), 4);
                return (q - 8) * d;
            }
            case Q4_1 -> {
                float d = half(bits(b, base, 16));
                float m = half(bits(b, base + 16, 16));
                int q = bits(b, base + 32 + nibbleBit(e), 4);
                return q * d + m;
            }
            case Q5_0 -> {
                float d = half(bits(b, base, 16));
                int q = bits(b, base + 48 + nibbleBit(e), 4) + 16 * bits(b, base + 16 + e, 1);
                return (q - 16) * d;
            }
            case Q5_1 -> {
                float d = half(bits(b, base, 16));
                float m = half(bits(b, base + 16, 16));
                int q = bits(b, base + 64 + nibbleBit(e), 4) + 16 * bits(b, base + 32 + e, 1);
                return q * d + m;
            }
            case Q4_K, Q5_K -> {
                float d = half(bits(b, base, 16));
                float dmin = half(bits(b, base + 16, 16));
                int sub = e / 32;
                int scalesBit = base + 32;
                int sc;
                int mn;
                if (sub < 4) {
                    sc = bits(b, scalesBit + 8 * sub, 6);
                    mn = bits(b, scalesBit + 8 * (sub + 4), 6);
                } else {
                    sc = bits(b, scalesBit + 8 * (sub + 4), 4) + 16 * bits(b, scalesBit + 8 * (sub - 4) + 6, 2);
                    mn = bits(b, scalesBit + 8 * (sub + 4) + 4, 4) + 16 * bits(b, scalesBit + 8 * sub + 6, 2);
                }
                int group = e / 64;
                int inGroup = e % 64;
                int quantsBit = base + (type == GgmlType.Q5_K ? 8 * 48 : 8 * 16);
                int q = bits(b, quantsBit + 8 * (32 * group + inGroup % 32) + 4 * (inGroup / 32), 4);
                if (type == GgmlType.Q5_K) {
                    q += 16 * bits(b, base + 8 * 16 + 8 * (e % 32) + sub, 1);
                }
                float d1 = d * sc;
                float m1 = dmin * mn;
                return d1 * q - m1;
            }
            case Q6_K -> {
                int half = e / 128;
                int quarter = (e % 128) / 32;
                int l = e % 32;
                int lowBit = base + 8 * (64 * half + 32 * (quarter % 2) + l) + 4 * (quarter / 2);
                int highBit = base + 8 * (128 + 32 * half + l) + 2 * quarter;
                int q = bits(b, lowBit, 4) + 16 * bits(b, highBit, 2);
                int sc = signed(bits(b, base + 8 * (192 + 8 * half + 2 * quarter + l / 16), 8), 8);
                float d = half(bits(b, base + 8 * 208, 16));
                float ds = d * sc;
                return ds * (q - 32);
            }
            default -> throw new IllegalArgumentException("no reference decoder for " + type);
        }
    }

    /** Values 0..15 of a 32-value block sit in the low nibbles of bytes 0..15, values 16..31 in the high ones. */
    private static int nibbleBit(int e) {
        return 8 * (e % 16) + 4 * (e / 16);
    }

    /** {@code width} bits starting at absolute bit {@code pos}, least significant bit first. */
    static int bits(byte[] b, int pos, int width) {
        int v = 0;
        for (int i = 0; i < width; i++) {
            int p = pos + i;
            int bit = (b[p / 8] >> (p % 8)) & 1;
            v |= bit << i;
        }
        return v;
    }

    private static int signed(int v, int width) {
        return v >= 1 << (width - 1) ? v - (1 << width) : v;
    }

    /** IEEE binary16 decoded from its fields; every finite half is exact in a double and in a float. */
    static float half(int h) {
        int sign = (h >> 15) & 1;
        int exp = (h >> 10) & 0x1F;
        int mant = h & 0x3FF;
        double v;
        if (exp == 0) {
            v = Math.scalb((double) mant, -24);
        } else if (exp == 31) {
            v = mant == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else {
            v = Math.scalb((double) (1024 + mant), exp - 25);
        }
        return (float) (sign == 1 ? -v : v);
    }
}
