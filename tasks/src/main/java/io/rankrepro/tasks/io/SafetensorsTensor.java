package io.rankrepro.tasks.io;

import java.util.Arrays;

/**
 * One named tensor of a safetensors file: row-major values held as doubles whatever the dtype on
 * disk (F64 exactly, F32/F16/BF16 widened losslessly).
 *
 * @param name  the tensor's key in the header
 * @param dtype how it is (or will be) stored
 * @param shape dimensions, outermost first; empty for a scalar
 * @param data  values in row-major order, {@code product(shape)} of them
 */
public record SafetensorsTensor(String name, SafetensorsDtype dtype, long[] shape, double[] data) {

    public SafetensorsTensor {
        if (name == null || name.isEmpty() || name.equals(SafetensorsReader.METADATA_KEY)) {
            throw new IllegalArgumentException("tensor name must be non-empty and not __metadata__, got '" + name + "'");
        }
        shape = shape.clone();
        if (elementCount(shape) != data.length) {
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " holds "
                    + elementCount(shape) + " values, data has " + data.length);
        }
    }

    /** A float64 tensor. */
    public static SafetensorsTensor of(String name, double[] data, long... shape) {
        return new SafetensorsTensor(name, SafetensorsDtype.F64, shape, data);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Product of the dimensions; fails on a negative dimension or overflow. */
    static long elementCount(long[] shape) {
        long n = 1;
        for (long s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, s);
        }
        return n;
    }

    /** Same name, dtype, shape and values (bitwise, so NaNs compare equal). */
    public boolean sameAs(SafetensorsTensor other) {
        return name.equals(other.name) && dtype == other.dtype && Arrays.equals(shape, other.shape)
                && Arrays.equals(data, other.data);
    }

    @Override
    public String toString() {
        return "SafetensorsTensor[" + name + " " + dtype + " " + Arrays.toString(shape) + "]";
    }
}
