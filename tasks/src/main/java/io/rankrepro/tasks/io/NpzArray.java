package io.rankrepro.tasks.io;

import java.util.Arrays;

/**
 * One named array of an {@code .npz} file: C-order (row-major) values held as doubles whatever
 * the dtype on disk, so float64 round-trips exactly and float32 / int64 widen losslessly.
 *
 * @param name  the entry name without {@code .npy}
 * @param shape dimensions, outermost first; empty for a scalar
 * @param data  values in C order, {@code product(shape)} of them
 * @param dtype how the array is (or will be) stored
 */
public record NpzArray(String name, long[] shape, double[] data, NpzDtype dtype) {

    public NpzArray {
        if (name == null || name.isEmpty() || name.contains("/")) {
            throw new IllegalArgumentException("array name must be non-empty without '/', got '" + name + "'");
        }
        shape = shape.clone();
        long n = 1;
        for (long s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException(name + ": negative dimension in " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, s);
        }
        if (n != data.length) {
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " holds " + n
                    + " values, data has " + data.length);
        }
    }

    /** A float64 array. */
    public static NpzArray of(String name, double[] data, long... shape) {
        return new NpzArray(name, shape, data, NpzDtype.FLOAT64);
    }

    /** A float64 vector. */
    public static NpzArray vector(String name, double[] data) {
        return of(name, data, data.length);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Same name, shape, dtype and values (bitwise, so NaNs compare equal). */
    public boolean sameAs(NpzArray other) {
        return name.equals(other.name) && Arrays.equals(shape, other.shape) && dtype == other.dtype
                && Arrays.equals(data, other.data);
    }

    @Override
    public String toString() {
        return "NpzArray[" + name + " " + dtype.descr() + " " + Arrays.toString(shape) + "]";
    }
}
