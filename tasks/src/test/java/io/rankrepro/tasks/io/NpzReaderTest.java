package io.rankrepro.tasks.io;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Reads files written by real numpy (see src/test/resources/npz/make_fixture.py). */
class NpzReaderTest {

    @Test
    void readsNumpySavez() throws Exception {
        Map<String, NpzArray> a = NpzReader.read(NpzRoundTripTest.fixture("numpy_fixture.npz"));
        assertArrayEquals(new long[] {2, 3}, a.get("f8").shape());
        assertArrayEquals(new double[] {1.5, -2.25, 3.0, 0.1, 1e-300, -0.0}, a.get("f8").data());
        assertEquals(NpzDtype.FLOAT64, a.get("f8").dtype());
        assertArrayEquals(new double[] {0.5, -1.25}, a.get("f4").data());
        assertEquals(NpzDtype.FLOAT32, a.get("f4").dtype());
        assertArrayEquals(new double[] {-3, 0, 7, 1L << 40}, a.get("i8").data());
        assertEquals(NpzDtype.INT64, a.get("i8").dtype());
        assertArrayEquals(new long[0], a.get("scalar").shape());
        assertArrayEquals(new double[] {2.5}, a.get("scalar").data());
    }

    @Test
    void returnsFortranOrderArraysInCOrder() throws Exception {
        NpzArray f = NpzReader.read(NpzRoundTripTest.fixture("numpy_fixture.npz"), "fortran");
        assertArrayEquals(new long[] {2, 3}, f.shape());
        assertArrayEquals(new double[] {0, 1, 2, 3, 4, 5}, f.data());
    }

    @Test
    void readsNumpySavezCompressed() throws Exception {
        NpzArray x = NpzReader.read(NpzRoundTripTest.fixture("numpy_fixture_compressed.npz"), "x");
        assertArrayEquals(new double[] {0, 0.25, 0.5, 0.75, 1.0}, x.data());
    }

    @Test
    void missingArrayNamesWhatIsThere() throws Exception {
        Path file = NpzRoundTripTest.fixture("numpy_fixture.npz");
        IOException e = assertThrows(IOException.class, () -> NpzReader.read(file, "nope"));
        assertEquals(true, e.getMessage().contains("f8"));
    }

    @Test
    void rejectsBigEndianAndBadMagic() {
        byte[] bad = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
        assertThrows(IOException.class, () -> NpzReader.parseNpy("bad", bad));
        assertThrows(IllegalArgumentException.class, () -> NpzDtype.fromDescr(">f8"));
    }
}
