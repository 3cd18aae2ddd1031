package io.rankrepro.tasks.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads numpy {@code .npz} files (stored or deflated, as {@code np.savez} and
 * {@code np.savez_compressed} write them; npy format 1.0, 2.0 and 3.0) holding little-endian
 * {@code <f8}, {@code <f4}, {@code <i8} or {@code <i4} arrays. Fortran-order arrays are returned in C order.
 */
public final class NpzReader {
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private NpzReader() { }

    /** All arrays, by name, in the zip's entry order. */
    public static Map<String, NpzArray> read(Path file) throws IOException {
        Map<String, NpzArray> out = new LinkedHashMap<>();
        // ZipFile reads the central directory, which is where numpy's zip64 sizes are reliable
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (ZipEntry e : Collections.list(zip.entries())) {
                if (e.isDirectory() || !e.getName().endsWith(".npy")) {
                    continue;
                }
                String name = e.getName().substring(0, e.getName().length() - ".npy".length());
                try (InputStream in = zip.getInputStream(e)) {
                    out.put(name, parseNpy(name, in.readAllBytes()));
                }
            }
        }
        return out;
    }

    /** One array; fails naming the file and the arrays it does hold when {@code name} is absent. */
    public static NpzArray read(Path file, String name) throws IOException {
        Map<String, NpzArray> all = read(file);
        NpzArray a = all.get(name);
        if (a == null) {
            throw new IOException(file + " has no array '" + name + "' (has " + all.keySet() + ")");
        }
        return a;
    }

    public static NpzArray parseNpy(String name, byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 10 || (bytes[0] & 0xFF) != 0x93 || bytes[1] != 'N' || bytes[2] != 'U' || bytes[3] != 'M'
                || bytes[4] != 'P' || bytes[5] != 'Y') {
            throw new IOException(name + ".npy: not an npy file (bad magic)");
        }
        int major = bytes[6];
        b.position(8);
        int headerLength;
        if (major == 1) {
            headerLength = Short.toUnsignedInt(b.getShort());
        } else if (major == 2 || major == 3) {
            headerLength = b.getInt();
        } else {
            throw new IOException(name + ".npy: unsupported npy format version " + major + "." + bytes[7]);
        }
        int dataStart = b.position() + headerLength;
        if (headerLength < 0 || dataStart > bytes.length) {
            throw new IOException(name + ".npy: truncated header");
        }
        String header = new String(bytes, b.position(), headerLength,
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        NpzDtype dtype = NpzDtype.fromDescr(group(DESCR, header, name));
        boolean fortran = group(FORTRAN, header, name).equals("True");
        long[] shape = parseShape(group(SHAPE, header, name));
        long count = 1;
        for (long s : shape) {
            count = Math.multiplyExact(count, s);
        }
        if (count > Integer.MAX_VALUE || dataStart + count * dtype.bytes() > bytes.length) {
            throw new IOException(name + ".npy: data shorter than shape " + java.util.Arrays.toString(shape));
        }
        b.position(dataStart);
        double[] data = new double[(int) count];
        for (int i = 0; i < data.length; i++) {
            data[i] = switch (dtype) {
                case FLOAT64 -> b.getDouble();
                case FLOAT32 -> b.getFloat();
                case INT64 -> b.getLong();
                case INT32 -> b.getInt();
            };
        }
        return new NpzArray(name, shape, fortran ? fortranToC(data, shape) : data, dtype);
    }

    private static String group(Pattern p, String header, String name) throws IOException {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new IOException(name + ".npy: header lacks " + p.pattern() + ": " + header.strip());
        }
        return m.group(1);
    }

    private static long[] parseShape(String inside) {
        List<Long> dims = new ArrayList<>();
        for (String part : inside.split(",")) {
            String t = part.strip();
            if (!t.isEmpty()) {
                dims.add(Long.parseLong(t.endsWith("L") ? t.substring(0, t.length() - 1) : t));
            }
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    /** Fortran order varies the first index fastest; rewrite it so the last index varies fastest. */
    private static double[] fortranToC(double[] f, long[] shape) {
        int rank = shape.length;
        double[] c = new double[f.length];
        int[] idx = new int[rank];
        for (int flat = 0; flat < f.length; flat++) {
            // idx is the C-order multi-index of position `flat`
            int fortranOffset = 0;
            int stride = 1;
            for (int k = 0; k < rank; k++) {
                fortranOffset += idx[k] * stride;
                stride *= (int) shape[k];
            }
            c[flat] = f[fortranOffset];
            for (int k = rank - 1; k >= 0; k--) {
                if (++idx[k] < shape[k]) {
                    break;
                }
                idx[k] = 0;
            }
        }
        return c;
    }
}
