package io.rankrepro.tasks.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes safetensors files (F64 or F32 tensors) with deterministic bytes: {@code __metadata__}
 * first, then tensors sorted by name, data in that order, the compact JSON header padded with
 * spaces to a multiple of 8 bytes (as the reference implementation does, so data stays aligned).
 */
public final class SafetensorsWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SafetensorsWriter() { }

    public static void write(Path file, List<SafetensorsTensor> tensors, Map<String, String> metadata) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            write(out, tensors, metadata);
        }
    }

    public static void write(OutputStream out, List<SafetensorsTensor> tensors, Map<String, String> metadata)
            throws IOException {
        List<SafetensorsTensor> sorted = new ArrayList<>(SafetensorsFile.of(tensors, Map.of()).tensors().values());
        sorted.sort(Comparator.comparing(SafetensorsTensor::name));
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject(SafetensorsReader.METADATA_KEY);
            new TreeMap<>(metadata).forEach(meta::put);
        }
        long offset = 0;
        for (SafetensorsTensor t : sorted) {
            if (!t.dtype().writable()) {
                throw new IllegalArgumentException(t.name() + ": writing " + t.dtype() + " is not supported (F64, F32)");
            }
            ObjectNode entry = header.putObject(t.name());
            entry.put("dtype", t.dtype().name());
            ArrayNode shape = entry.putArray("shape");
            for (long s : t.shape()) {
                shape.add(s);
            }
            long end = offset + (long) t.data().length * t.dtype().bytes();
            entry.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer prefix = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        prefix.putLong(padded).put(json);
        while (prefix.hasRemaining()) {
            prefix.put((byte) ' ');
        }
        out.write(prefix.array());
        for (SafetensorsTensor t : sorted) {
            out.write(encode(t));
        }
    }

    private static byte[] encode(SafetensorsTensor t) {
        double[] data = t.data();
        ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(data.length, t.dtype().bytes())).order(ByteOrder.LITTLE_ENDIAN);
        if (t.dtype() == SafetensorsDtype.F64) {
            b.asDoubleBuffer().put(data);
        } else {
            for (double v : data) {
                b.putFloat((float) v);
            }
        }
        return b.array();
    }
}
