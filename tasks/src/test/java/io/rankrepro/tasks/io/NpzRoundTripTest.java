package io.rankrepro.tasks.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NpzRoundTripTest {

    private static final List<NpzArray> ARRAYS = List.of(
            NpzArray.of("w_k", new double[] {1.0, -0.0, Double.MIN_VALUE, 1e300, Math.PI, Double.NaN}, 2, 3),
            new NpzArray("f32", new long[] {3}, new double[] {0.5, -1.25, 3.0}, NpzDtype.FLOAT32),
            new NpzArray("steps", new long[] {2, 2}, new double[] {0, 1, -7, 1L << 40}, NpzDtype.INT64),
            NpzArray.of("scalar", new double[] {2.5}));

    @Test
    void roundTripKeepsNamesShapesDtypesAndBits(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("a.npz");
        NpzWriter.write(file, ARRAYS);
        Map<String, NpzArray> back = NpzReader.read(file);
        assertEquals(List.of("w_k", "f32", "steps", "scalar"), List.copyOf(back.keySet()));
        for (NpzArray a : ARRAYS) {
            assertTrue(a.sameAs(back.get(a.name())), a + " vs " + back.get(a.name()));
        }
        assertArrayEquals(new long[0], back.get("scalar").shape());
    }

    @Test
    void sameArraysGiveSameBytes(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a.npz");
        Path b = dir.resolve("sub/b.npz");
        NpzWriter.write(a, ARRAYS);
        Thread.sleep(5);
        NpzWriter.write(b, ARRAYS);
        assertEquals(sha256(a), sha256(b));
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
    }

    @Test
    void headersArePaddedToSixtyFourBytes() {
        for (NpzArray a : ARRAYS) {
            byte[] npy = NpzWriter.npyBytes(a);
            int headerLength = (npy[8] & 0xFF) | (npy[9] & 0xFF) << 8;
            assertEquals(0, (10 + headerLength) % 64, a.name());
            assertEquals('\n', npy[10 + headerLength - 1]);
        }
    }

    /** The .npy bytes we write are numpy's own (compared against numpy 2.4's np.savez output). */
    @Test
    void npyBytesEqualNumpys() throws Exception {
        Path fixture = fixture("numpy_fixture.npz");
        try (ZipFile zip = new ZipFile(fixture.toFile())) {
            byte[] numpyF8;
            try (InputStream in = zip.getInputStream(zip.getEntry("f8.npy"))) {
                numpyF8 = in.readAllBytes();
            }
            NpzArray f8 = NpzArray.of("f8", new double[] {1.5, -2.25, 3.0, 0.1, 1e-300, -0.0}, 2, 3);
            assertArrayEquals(numpyF8, NpzWriter.npyBytes(f8));
        }
    }

    @Test
    void rejectsDuplicateNamesAndWrongSizes() {
        assertThrows(IllegalArgumentException.class, () -> NpzArray.of("x", new double[3], 2, 2));
        assertThrows(IllegalArgumentException.class,
                () -> NpzWriter.write(new java.io.ByteArrayOutputStream(),
                        List.of(NpzArray.vector("x", new double[1]), NpzArray.vector("x", new double[1]))));
        assertThrows(IllegalArgumentException.class, () -> NpzWriter.npyBytes(
                new NpzArray("i", new long[] {1}, new double[] {0.5}, NpzDtype.INT64)));
    }

    static Path fixture(String name) throws Exception {
        return Path.of(NpzRoundTripTest.class.getResource("/npz/" + name).toURI());
    }

    private static String sha256(Path p) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    }
}
