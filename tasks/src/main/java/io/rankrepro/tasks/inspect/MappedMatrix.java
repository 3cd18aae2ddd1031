package io.rankrepro.tasks.inspect;

import io.rankrepro.tasks.io.SafetensorsDtype;

import java.nio.MappedByteBuffer;
import java.nio.file.Path;

/**
 * One 2-D tensor of a {@link MappedCheckpoint}, row-major, read in place from the mapping and
 * widened to double. {@link #close()} unmaps it at once rather than when the collector gets to it,
 * so the resident memory of a 7B model's analysis stays one layer's tensors.
 */
public final class MappedMatrix implements AutoCloseable {
    private final String name;
    private final Path file;
    private final SafetensorsDtype dtype;
    private final int rows;
    private final int cols;
    private MappedByteBuffer buffer;

    MappedMatrix(String name, Path file, SafetensorsDtype dtype, int rows, int cols, MappedByteBuffer buffer) {
        this.name = name;
        this.file = file;
        this.dtype = dtype;
        this.rows = rows;
        this.cols = cols;
        this.buffer = buffer;
    }

    public String name() {
        return name;
    }

    public Path file() {
        return file;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public double get(int row, int col) {
        return dtype.get(buffer, row * cols + col);
    }

    /** Row {@code row}, columns {@code from … from + count − 1}, into {@code out[offset …]} with stride {@code stride}. */
    void rowInto(int row, int from, int count, double[] out, int offset, int stride) {
        int base = row * cols + from;
        for (int c = 0; c < count; c++) {
            out[offset + c * stride] = dtype.get(buffer, base + c);
        }
    }

    @Override
    public void close() {
        if (buffer != null) {
            Unmapper.unmap(buffer);
            buffer = null;
        }
    }

    /** sun.misc.Unsafe.invokeCleaner (JDK 9+, module jdk.unsupported): the only way to unmap before a GC. */
    private static final class Unmapper {
        private static final java.lang.invoke.MethodHandle INVOKE_CLEANER = find();

        private static java.lang.invoke.MethodHandle find() {
            try {
                Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
                java.lang.reflect.Field f = unsafeClass.getDeclaredField("theUnsafe");
                f.setAccessible(true);
                Object unsafe = f.get(null);
                return java.lang.invoke.MethodHandles.lookup()
                        .findVirtual(unsafeClass, "invokeCleaner", java.lang.invoke.MethodType.methodType(void.class, java.nio.ByteBuffer.class))
                        .bindTo(unsafe);
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null; // then the collector unmaps, later
            }
        }

        static void unmap(MappedByteBuffer b) {
            if (INVOKE_CLEANER != null) {
                try {
                    INVOKE_CLEANER.invokeExact((java.nio.ByteBuffer) b);
                } catch (Throwable ignored) {
                    // left to the collector
                }
            }
        }
    }
}
