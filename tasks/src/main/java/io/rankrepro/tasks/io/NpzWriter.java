package io.rankrepro.tasks.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes numpy {@code .npz} files as {@code np.savez} does: an uncompressed zip of {@code .npy}
 * entries (format 1.0). The bytes depend only on the arrays: entries keep the given order and
 * carry a fixed timestamp, so equal weights hash equal.
 */
public final class NpzWriter {
    /** DOS epoch, expressed without a time zone so the bytes do not depend on the machine's zone. */
    private static final LocalDateTime FIXED_TIME = LocalDateTime.of(1980, 1, 1, 0, 0, 0);
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    private NpzWriter() { }

    public static void write(Path file, List<NpzArray> arrays) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            write(out, arrays);
        }
    }

    public static void write(OutputStream out, List<NpzArray> arrays) throws IOException {
        Set<String> names = new HashSet<>();
        ZipOutputStream zip = new ZipOutputStream(out);
        zip.setMethod(ZipOutputStream.STORED);
        for (NpzArray a : arrays) {
            if (!names.add(a.name())) {
                throw new IllegalArgumentException("array name '" + a.name() + "' appears twice");
            }
            byte[] npy = npyBytes(a);
            CRC32 crc = new CRC32();
            crc.update(npy);
            ZipEntry entry = new ZipEntry(a.name() + ".npy");
            entry.setMethod(ZipEntry.STORED);
            entry.setTimeLocal(FIXED_TIME);
            entry.setSize(npy.length);
            entry.setCompressedSize(npy.length);
            entry.setCrc(crc.getValue());
            zip.putNextEntry(entry);
            zip.write(npy);
            zip.closeEntry();
        }
        zip.finish();
        zip.flush();
    }

    /** One array as a {@code .npy} file, format 1.0, C order. */
    public static byte[] npyBytes(NpzArray a) {
        byte[] header = header(a);
        ByteBuffer body = ByteBuffer.allocate(a.data().length * a.dtype().bytes()).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : a.data()) {
            switch (a.dtype()) {
                case FLOAT64 -> body.putDouble(v);
                case FLOAT32 -> body.putFloat((float) v);
                case INT64 -> body.putLong(exactLong(a, v));
                case INT32 -> body.putInt(Math.toIntExact(exactLong(a, v)));
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(header.length + body.capacity());
        bytes.writeBytes(header);
        bytes.writeBytes(body.array());
        return bytes.toByteArray();
    }

    private static long exactLong(NpzArray a, double v) {
        if (v != Math.rint(v) || Math.abs(v) > 0x1p53) {
            throw new IllegalArgumentException(a.name() + ": " + v + " is not an exactly representable integer");
        }
        return (long) v;
    }

    /** Magic, version, header length and the header dict padded (numpy-style) to a multiple of 64 bytes. */
    private static byte[] header(NpzArray a) {
        // numpy's spelling: "()" for a scalar, "(3,)" for one dimension, "(2, 3)" for more
        StringBuilder shape = new StringBuilder("(");
        long[] dims = a.shape();
        for (int i = 0; i < dims.length; i++) {
            shape.append(i == 0 ? "" : ", ").append(dims[i]);
        }
        if (dims.length == 1) {
            shape.append(',');
        }
        shape.append(')');
        String dict = "{'descr': '" + a.dtype().descr() + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
        int pad = (64 - unpadded % 64) % 64;
        String text = dict + " ".repeat(pad) + "\n";
        byte[] textBytes = text.getBytes(StandardCharsets.US_ASCII);
        if (textBytes.length > 0xFFFF) {
            throw new IllegalArgumentException(a.name() + ": npy header too long for format 1.0");
        }
        ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 4 + textBytes.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) textBytes.length).put(textBytes);
        return b.array();
    }
}
