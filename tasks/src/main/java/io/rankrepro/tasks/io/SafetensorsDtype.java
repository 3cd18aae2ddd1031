package io.rankrepro.tasks.io;

/**
 * Every element type the safetensors format defines. The floating types F64, F32, F16 and BF16
 * are read (widened to double); the rest (integers, bool, 8-bit and smaller floats) are accepted
 * in a file and skipped by the readers: checkpoints carry such tensors beside the weights (BERT's
 * {@code position_ids} is I64), and no analysis here needs them. F64 and F32 are written.
 */
public enum SafetensorsDtype {
    BOOL(8), U8(8), I8(8), F8_E5M2(8), F8_E4M3(8), F8_E8M0(8), F4(4), F6_E2M3(6), F6_E3M2(6),
    I16(16), U16(16), F16(16), BF16(16), I32(32), U32(32), F32(32), I64(64), U64(64), F64(64);

    private final int bits;

    SafetensorsDtype(int bits) {
        this.bits = bits;
    }

    /** Bytes per element; only for the {@link #readable()} types (the sub-byte types have none). */
    public int bytes() {
        if (bits % 8 != 0) {
            throw new UnsupportedOperationException(this + " is a sub-byte type");
        }
        return bits / 8;
    }

    /** Bytes that {@code elements} values of this type take on disk (sub-byte types packed, rounded up). */
    public long bytesFor(long elements) {
        return (Math.multiplyExact(elements, (long) bits) + 7) / 8;
    }

    /** Whether the readers decode this type (the floating types of 16 bits and more). */
    public boolean readable() {
        return this == F64 || this == F32 || this == F16 || this == BF16;
    }

    /**
     * Element {@code index} of a little-endian buffer of this type, widened to double (absolute:
     * the buffer's position is untouched). Only for the {@link #readable()} types.
     */
    public double get(java.nio.ByteBuffer b, int index) {
        return switch (this) {
            case F64 -> b.getDouble(index * 8);
            case F32 -> b.getFloat(index * 4);
            case F16 -> SafetensorsReader.halfToFloat(b.getShort(index * 2));
            case BF16 -> Float.intBitsToFloat((b.getShort(index * 2) & 0xffff) << 16);
            default -> throw new UnsupportedOperationException(this + " is not read (only F64, F32, F16, BF16)");
        };
    }

    /** Whether {@link SafetensorsWriter} writes this type (halves lose precision silently: we refuse). */
    public boolean writable() {
        return this == F64 || this == F32;
    }
}
