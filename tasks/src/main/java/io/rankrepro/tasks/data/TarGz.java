package io.rankrepro.tasks.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * A minimal reader of regular files in a gzipped POSIX (ustar) tar: enough for the CIFAR
 * archives, so they are read (and checksummed) as published, without unpacking.
 */
final class TarGz {
    interface EntryVisitor {
        /** Called per regular file; {@code in} yields exactly {@code size} bytes. */
        void visit(String name, long size, InputStream in) throws IOException;
    }

    private TarGz() { }

    static void forEachFile(Path archive, EntryVisitor visitor) throws IOException {
        try (InputStream raw = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(archive), 1 << 16))) {
            byte[] header = new byte[512];
            while (true) {
                if (raw.readNBytes(header, 0, 512) < 512) {
                    throw new IOException(archive + ": truncated tar (header cut short)");
                }
                if (allZero(header)) {
                    return; // end-of-archive marker
                }
                String name = text(header, 0, 100);
                String prefix = text(header, 345, 155);
                if (!prefix.isEmpty()) {
                    name = prefix + "/" + name;
                }
                long size = octal(archive, header, 124, 12);
                byte type = header[156];
                long padded = (size + 511) / 512 * 512;
                InputStream body = new BoundedStream(raw, size);
                if (type == '0' || type == 0) {
                    visitor.visit(name, size, body);
                }
                body.skipNBytes(body.available());
                long pad = padded - size;
                if (raw.skip(pad) != pad) {
                    throw new IOException(archive + ": truncated tar (in " + name + ")");
                }
            }
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            throw new IOException(archive + ": corrupt gzip stream (" + e.getMessage() + ")", e);
        }
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static String text(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8).trim();
    }

    private static long octal(Path archive, byte[] b, int off, int len) throws IOException {
        String s = text(b, off, len);
        try {
            return Long.parseLong(s.isEmpty() ? "0" : s, 8);
        } catch (NumberFormatException e) {
            throw new IOException(archive + ": corrupt tar header (size field '" + s + "')");
        }
    }

    /** The next {@code size} bytes of a stream; close does nothing. */
    private static final class BoundedStream extends InputStream {
        private final InputStream in;
        private long left;

        BoundedStream(InputStream in, long size) {
            this.in = in;
            this.left = size;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int v = in.read();
            if (v < 0) {
                throw new IOException("truncated tar entry");
            }
            left--;
            return v;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                throw new IOException("truncated tar entry");
            }
            left -= n;
            return n;
        }

        @Override
        public int available() {
            return (int) Math.min(Integer.MAX_VALUE, left);
        }

        @Override
        public void close() { }
    }
}
