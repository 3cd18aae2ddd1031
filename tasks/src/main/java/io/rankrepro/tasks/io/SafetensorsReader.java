package io.rankrepro.tasks.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads safetensors files: an 8-byte little-endian header length N, N bytes of UTF-8 JSON
 * {@code {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}}}, then the
 * raw little-endian data, offsets relative to its start. F64, F32, F16 and BF16 are read as doubles.
 * Every error is an {@link IOException} that names the file: a truncated file, a header that is
 * not JSON, offsets that overlap, leave gaps or do not match shape × dtype.
 */
public final class SafetensorsReader {
    public static final String METADATA_KEY = "__metadata__";
    /** Larger headers are refused before allocating (the reference implementation's limit). */
    static final long MAX_HEADER_BYTES = 100_000_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private SafetensorsReader() { }

    public static SafetensorsFile read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw corrupt(file, "truncated: " + size + " bytes, fewer than the 8-byte header length");
            }
            long headerLength = readFully(ch, 0, 8, file).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (headerLength <= 0 || headerLength > MAX_HEADER_BYTES) {
                throw corrupt(file, "header length " + headerLength + " is not in 1.." + MAX_HEADER_BYTES);
            }
            if (headerLength > size - 8) {
                throw corrupt(file, "truncated: header says " + headerLength + " header bytes, file has "
                        + (size - 8) + " after the length");
            }
            JsonNode header = parseHeader(file, readFully(ch, 8, (int) headerLength, file));
            long dataStart = 8 + headerLength;
            long dataLength = size - dataStart;

            Map<String, String> metadata = new LinkedHashMap<>();
            List<Entry> entries = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (f.getKey().equals(METADATA_KEY)) {
                    readMetadata(file, f.getValue(), metadata);
                } else {
                    entries.add(Entry.parse(file, f.getKey(), f.getValue()));
                }
            }
            entries.sort(Comparator.comparingLong(Entry::begin));
            long expected = 0;
            for (Entry e : entries) {
                if (e.begin != expected) {
                    throw corrupt(file, "tensor '" + e.name + "' starts at data offset " + e.begin + ", expected "
                            + expected + " (tensors must cover the data without gaps or overlap)");
                }
                expected = e.end;
            }
            if (expected > dataLength) {
                throw corrupt(file, "truncated: tensors need " + expected + " data bytes, file has " + dataLength);
            }
            if (expected < dataLength) {
                throw corrupt(file, (dataLength - expected) + " trailing bytes after the last tensor");
            }

            List<SafetensorsTensor> tensors = new ArrayList<>(entries.size());
            for (Entry e : entries) {
                long bytes = e.end - e.begin;
                if (bytes > Integer.MAX_VALUE - 8) {
                    throw corrupt(file, "tensor '" + e.name + "' has " + bytes + " bytes, more than one array holds");
                }
                ByteBuffer b = readFully(ch, dataStart + e.begin, (int) bytes, file).order(ByteOrder.LITTLE_ENDIAN);
                tensors.add(new SafetensorsTensor(e.name, e.dtype, e.shape, decode(b, e.dtype)));
            }
            return SafetensorsFile.of(tensors, metadata);
        }
    }

    private record Entry(String name, SafetensorsDtype dtype, long[] shape, long begin, long end) {
        static Entry parse(Path file, String name, JsonNode node) throws IOException {
            JsonNode dtypeNode = node.get("dtype");
            JsonNode shapeNode = node.get("shape");
            JsonNode offsets = node.get("data_offsets");
            if (dtypeNode == null || !dtypeNode.isTextual() || shapeNode == null || !shapeNode.isArray()
                    || offsets == null || !offsets.isArray() || offsets.size() != 2) {
                throw corrupt(file, "tensor '" + name + "' needs dtype (string), shape (array) and data_offsets [begin, end]");
            }
            SafetensorsDtype dtype;
            try {
                dtype = SafetensorsDtype.valueOf(dtypeNode.asText());
            } catch (IllegalArgumentException ex) {
                throw corrupt(file, "tensor '" + name + "' has dtype " + dtypeNode.asText()
                        + "; supported: F64, F32, F16, BF16");
            }
            long[] shape = new long[shapeNode.size()];
            for (int i = 0; i < shape.length; i++) {
                JsonNode s = shapeNode.get(i);
                if (!s.canConvertToLong() || !s.isIntegralNumber() || s.asLong() < 0) {
                    throw corrupt(file, "tensor '" + name + "' has a bad dimension " + s);
                }
                shape[i] = s.asLong();
            }
            if (!offsets.get(0).isIntegralNumber() || !offsets.get(1).isIntegralNumber()) {
                throw corrupt(file, "tensor '" + name + "' has non-integer data_offsets " + offsets);
            }
            long begin = offsets.get(0).asLong();
            long end = offsets.get(1).asLong();
            long elements;
            try {
                elements = SafetensorsTensor.elementCount(shape);
                if (begin < 0 || end < begin || end - begin != Math.multiplyExact(elements, dtype.bytes())) {
                    throw corrupt(file, "tensor '" + name + "': data_offsets " + offsets + " do not hold "
                            + elements + " " + dtype + " values");
                }
            } catch (ArithmeticException ex) {
                throw corrupt(file, "tensor '" + name + "' is too large: shape " + shapeNode);
            }
            return new Entry(name, dtype, shape, begin, end);
        }
    }

    private static JsonNode parseHeader(Path file, ByteBuffer bytes) throws IOException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes).toString();
        } catch (CharacterCodingException ex) {
            throw corrupt(file, "header is not UTF-8");
        }
        JsonNode header;
        try {
            header = JSON.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
            throw corrupt(file, "header is not JSON: " + ex.getOriginalMessage());
        }
        if (header == null || !header.isObject()) {
            throw corrupt(file, "header is not a JSON object");
        }
        return header;
    }

    private static void readMetadata(Path file, JsonNode node, Map<String, String> into) throws IOException {
        if (!node.isObject()) {
            throw corrupt(file, METADATA_KEY + " must be an object of strings");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> m = it.next();
            if (!m.getValue().isTextual()) {
                throw corrupt(file, METADATA_KEY + "." + m.getKey() + " must be a string, got " + m.getValue());
            }
            into.put(m.getKey(), m.getValue().asText());
        }
    }

    private static double[] decode(ByteBuffer b, SafetensorsDtype dtype) {
        double[] out = new double[b.remaining() / dtype.bytes()];
        for (int i = 0; i < out.length; i++) {
            out[i] = switch (dtype) {
                case F64 -> b.getDouble();
                case F32 -> b.getFloat();
                case F16 -> halfToFloat(b.getShort());
                case BF16 -> Float.intBitsToFloat((b.getShort() & 0xffff) << 16);
            };
        }
        return out;
    }

    /** IEEE 754 binary16 to float (Float.float16ToFloat arrived only in Java 20). */
    static float halfToFloat(short half) {
        int h = half & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13)); // inf or NaN
        }
        if (exponent == 0) {
            float subnormal = mantissa * 0x1p-24f;
            return sign == 0 ? subnormal : -subnormal;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    private static ByteBuffer readFully(FileChannel ch, long position, int length, Path file) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining()) {
            int n = ch.read(b, position + b.position());
            if (n < 0) {
                throw corrupt(file, "truncated: ended at byte " + (position + b.position()));
            }
        }
        return b.flip();
    }

    private static IOException corrupt(Path file, String what) {
        return new IOException(file + ": not a valid safetensors file: " + what);
    }
}
