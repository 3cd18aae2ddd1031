package io.rankrepro.tasks.io;

/** The safetensors element types we read (all widened to double) and, for F64 and F32, write. */
public enum SafetensorsDtype {
    F64(8), F32(4), F16(2), BF16(2);

    private final int bytes;

    SafetensorsDtype(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }

    /** Whether {@link SafetensorsWriter} writes this type (halves lose precision silently: we refuse). */
    public boolean writable() {
        return this == F64 || this == F32;
    }
}
