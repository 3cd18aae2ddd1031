package io.rankrepro.tasks.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsTest {
    @TempDir
    Path dir;

    private static byte[] file(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        return b.putLong(h.length).put(h).put(data).array();
    }

    private static byte[] le(int... bytes) {
        byte[] out = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = (byte) bytes[i];
        }
        return out;
    }

    @Test
    void roundTripKeepsNamesShapesValuesAndMetadata() throws IOException {
        List<SafetensorsTensor> tensors = List.of(
                SafetensorsTensor.of("layer0.w_q", new double[] {1, -2.5, Math.PI, 1e-300, Double.NaN, 7}, 2, 3),
                new SafetensorsTensor("layer0.bias", SafetensorsDtype.F32, new long[] {3}, new double[] {0.5, -1, 3.25}),
                SafetensorsTensor.of("scalar", new double[] {42}),
                SafetensorsTensor.of("empty", new double[0], 0, 4));
        Path f = dir.resolve("a.safetensors");
        SafetensorsWriter.write(f, tensors, Map.of("format", "pt", "step", "100"));

        SafetensorsFile read = SafetensorsReader.read(f);
        assertEquals(Map.of("format", "pt", "step", "100"), read.metadata());
        assertEquals(4, read.tensors().size());
        for (SafetensorsTensor t : tensors) {
            assertTrue(t.sameAs(read.tensor(t.name())), t + " vs " + read.tensor(t.name()));
        }
    }

    @Test
    void float32RoundTripRoundsToFloat() throws IOException {
        Path f = dir.resolve("f32.safetensors");
        SafetensorsWriter.write(f, List.of(new SafetensorsTensor("x", SafetensorsDtype.F32, new long[] {1},
                new double[] {0.1})), Map.of());
        assertEquals((double) 0.1f, SafetensorsReader.read(f).tensor("x").data()[0], 0);
    }

    @Test
    void bytesAreDeterministicAndIndependentOfInputOrder() throws IOException {
        SafetensorsTensor a = SafetensorsTensor.of("a", new double[] {1, 2}, 2);
        SafetensorsTensor b = SafetensorsTensor.of("b", new double[] {3}, 1);
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        ByteArrayOutputStream second = new ByteArrayOutputStream();
        SafetensorsWriter.write(first, List.of(a, b), Map.of("k", "v", "j", "w"));
        SafetensorsWriter.write(second, List.of(b, a), Map.of("j", "w", "k", "v"));
        assertArrayEquals(first.toByteArray(), second.toByteArray());

        String header = "{\"__metadata__\":{\"j\":\"w\",\"k\":\"v\"},"
                + "\"a\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]},"
                + "\"b\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[16,24]}}";
        int padded = (header.length() + 7) / 8 * 8;
        byte[] bytes = first.toByteArray();
        assertEquals(padded, ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong());
        assertEquals(header + " ".repeat(padded - header.length()), new String(bytes, 8, padded, StandardCharsets.UTF_8));
        assertEquals(8 + padded + 24, bytes.length);
    }

    @Test
    void readsAHandBuiltFileWithEveryDtype() throws IOException {
        String header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,6]},"
                + "\"bf\":{\"dtype\":\"BF16\",\"shape\":[1,1],\"data_offsets\":[6,8]},"
                + "\"f\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[8,12]},"
                + "\"d\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[12,20]},"
                + "\"__metadata__\":{\"source\":\"hand\"}}";
        byte[] data = le(
                0x00, 0x3c, 0x00, 0xc0, 0x01, 0x00,         // F16: 1.0, -2.0, smallest subnormal 2^-24
                0xc0, 0x3f,                                 // BF16: 1.5
                0x00, 0x00, 0x80, 0x3e,                     // F32: 0.25
                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf0, 0xbf); // F64: -1.0
        Path f = dir.resolve("hand.safetensors");
        Files.write(f, file(header, data));

        SafetensorsFile read = SafetensorsReader.read(f);
        assertArrayEquals(new double[] {1, -2, 0x1p-24}, read.tensor("h").data(), 0);
        assertArrayEquals(new double[] {1.5}, read.tensor("bf").data(), 0);
        assertArrayEquals(new long[] {1, 1}, read.tensor("bf").shape());
        assertArrayEquals(new double[] {0.25}, read.tensor("f").data(), 0);
        assertArrayEquals(new long[0], read.tensor("f").shape());
        assertArrayEquals(new double[] {-1}, read.tensor("d").data(), 0);
        assertEquals(Map.of("source", "hand"), read.metadata());
        assertEquals(List.of("h", "bf", "f", "d"), List.copyOf(read.tensors().keySet()));
    }

    @Test
    void halfPrecisionSpecialValues() {
        assertEquals(65504f, SafetensorsReader.halfToFloat((short) 0x7bff));
        assertEquals(Float.POSITIVE_INFINITY, SafetensorsReader.halfToFloat((short) 0x7c00));
        assertTrue(Float.isNaN(SafetensorsReader.halfToFloat((short) 0x7e00)));
        assertEquals(-0f, SafetensorsReader.halfToFloat((short) 0x8000));
        assertEquals(0x1p-14f, SafetensorsReader.halfToFloat((short) 0x0400));
    }

    @Test
    void truncatedFileIsRejectedNamingIt() throws IOException {
        Path good = dir.resolve("good.safetensors");
        SafetensorsWriter.write(good, List.of(SafetensorsTensor.of("w", new double[] {1, 2, 3, 4}, 2, 2)), Map.of());
        byte[] bytes = Files.readAllBytes(good);
        for (int keep : new int[] {0, 5, 8, 20, bytes.length - 1}) {
            Path cut = dir.resolve("cut" + keep + ".safetensors");
            Files.write(cut, Arrays.copyOf(bytes, keep));
            IOException e = assertThrows(IOException.class, () -> SafetensorsReader.read(cut));
            assertTrue(e.getMessage().contains(cut.toString()) && e.getMessage().contains("truncated"),
                    "keep " + keep + ": " + e.getMessage());
        }
    }

    @Test
    void integerAndBoolTensorsAreSkippedNotRefused() throws IOException {
        // BERT's embeddings.position_ids is I64; a mask may be BOOL; F8 weights are not read either
        String header = "{\"position_ids\":{\"dtype\":\"I64\",\"shape\":[1,2],\"data_offsets\":[0,16]},"
                + "\"mask\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[16,19]},"
                + "\"w8\":{\"dtype\":\"F8_E4M3\",\"shape\":[1],\"data_offsets\":[19,20]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[20,24]}}";
        ByteBuffer data = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        data.putLong(0).putLong(1).put((byte) 1).put((byte) 0).put((byte) 1).put((byte) 0x38).putFloat(2.5f);
        Path f = dir.resolve("mixed.safetensors");
        Files.write(f, file(header, data.array()));
        SafetensorsFile read = SafetensorsReader.read(f);
        assertEquals(java.util.Set.of("w"), read.tensors().keySet());
        assertEquals(2.5, read.tensor("w").data()[0]);
        assertEquals(4, SafetensorsHeader.read(f).entries().size());
    }

    @Test
    void corruptHeadersAreRejectedNamingTheFile() throws IOException {
        byte[] eight = new byte[8];
        String[][] cases = {
                {"{not json", "not JSON"},
                {"[1,2]", "not a JSON object"},
                {"{\"w\":{\"dtype\":\"Q4\",\"shape\":[1],\"data_offsets\":[0,8]}}", "dtype Q4"},
                {"{\"w\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,8]}}", "do not hold 2 I64"},
                {"{\"w\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,8]}}", "do not hold 2 F64"},
                {"{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", "4 trailing bytes"},
                {"{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", "starts at data offset 4"},
                {"{\"w\":{\"dtype\":\"F64\",\"shape\":[-1],\"data_offsets\":[0,8]}}", "bad dimension"},
                {"{\"__metadata__\":{\"k\":1},\"w\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}", "must be a string"},
        };
        for (int i = 0; i < cases.length; i++) {
            Path f = dir.resolve("bad" + i + ".safetensors");
            Files.write(f, file(cases[i][0], eight));
            IOException e = assertThrows(IOException.class, () -> SafetensorsReader.read(f), cases[i][0]);
            assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains(cases[i][1]),
                    cases[i][0] + " -> " + e.getMessage());
        }
        Path huge = dir.resolve("huge.safetensors");
        Files.write(huge, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE).array());
        IOException e = assertThrows(IOException.class, () -> SafetensorsReader.read(huge));
        assertTrue(e.getMessage().contains("header length"), e.getMessage());
    }

    @Test
    void writerRefusesHalfPrecision() {
        SafetensorsTensor half = new SafetensorsTensor("h", SafetensorsDtype.F16, new long[] {1}, new double[] {1});
        assertThrows(IllegalArgumentException.class,
                () -> SafetensorsWriter.write(new ByteArrayOutputStream(), List.of(half), Map.of()));
    }
}
