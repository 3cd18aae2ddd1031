package io.rankrepro.tasks.io;

/** The little-endian numpy dtypes rankrepro reads and writes. */
public enum NpzDtype {
    FLOAT64("<f8", 8),
    FLOAT32("<f4", 4),
    INT64("<i8", 8),
    INT32("<i4", 4);

    private final String descr;
    private final int bytes;

    NpzDtype(String descr, int bytes) {
        this.descr = descr;
        this.bytes = bytes;
    }

    /** numpy's {@code descr} string, e.g. {@code <f8}. */
    public String descr() {
        return descr;
    }

    public int bytes() {
        return bytes;
    }

    /** The dtype of a numpy descr; {@code |} or {@code =} byte orders are not accepted because the size is above one byte. */
    public static NpzDtype fromDescr(String descr) {
        for (NpzDtype t : values()) {
            if (t.descr.equals(descr)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unsupported npy dtype '" + descr + "' (supported: <f8, <f4, <i8, <i4)");
    }
}
