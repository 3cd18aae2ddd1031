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
 * The header of a safetensors file, checked against the file before any data is read: an 8-byte
 * little-endian length N, N bytes of UTF-8 JSON {@code {name: {dtype, shape, data_offsets: [begin,
 * end]}, "__metadata__": {str: str}}}, then the data, offsets relative to its start. Every error is
 * an {@link IOException} naming the file (and the tensor): a truncated file, a header that is not
 * JSON, an unknown dtype, offsets that overlap, leave gaps, run past the end or do not match
 * shape × dtype. Readers then take the tensors' bytes by {@link Entry#position()}.
 *
 * @param file      where it was read
 * @param dataStart the file offset of the data (8 + N)
 * @param metadata  the {@code __metadata__} map (empty when absent)
 * @param entries   every tensor, in data order
 */
public record SafetensorsHeader(Path file, long dataStart, Map<String, String> metadata, List<Entry> entries) {
    /** Larger headers are refused before allocating (the reference implementation's limit). */
    static final long MAX_HEADER_BYTES = 100_000_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    public SafetensorsHeader {
        metadata = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        entries = List.copyOf(entries);
    }

    /**
     * One tensor's place in the file.
     *
     * @param begin data offset of its first byte (relative to the data start)
     * @param end   data offset past its last byte
     */
    public record Entry(String name, SafetensorsDtype dtype, long[] shape, long begin, long end, long dataStart) {
        public Entry {
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        /** The file offset of its first byte. */
        public long position() {
            return dataStart + begin;
        }

        public long bytes() {
            return end - begin;
        }

        public long elements() {
            return SafetensorsTensor.elementCount(shape);
        }
    }

    public static SafetensorsHeader read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(ch, file);
        }
    }

    static SafetensorsHeader read(FileChannel ch, Path file) throws IOException {
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
            if (f.getKey().equals(SafetensorsReader.METADATA_KEY)) {
                readMetadata(file, f.getValue(), metadata);
            } else {
                entries.add(parse(file, f.getKey(), f.getValue(), dataStart));
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
            Entry last = entries.get(entries.size() - 1);
            throw corrupt(file, "truncated: tensors need " + expected + " data bytes, file has " + dataLength
                    + " (tensor '" + last.name + "' ends past the end)");
        }
        if (expected < dataLength) {
            throw corrupt(file, (dataLength - expected) + " trailing bytes after the last tensor");
        }
        return new SafetensorsHeader(file, dataStart, metadata, entries);
    }

    private static Entry parse(Path file, String name, JsonNode node, long dataStart) throws IOException {
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
                    + ", which the safetensors format does not define; known: " + java.util.Arrays.toString(SafetensorsDtype.values()));
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
        try {
            long elements = SafetensorsTensor.elementCount(shape);
            if (begin < 0 || end < begin || end - begin != dtype.bytesFor(elements)) {
                throw corrupt(file, "tensor '" + name + "': data_offsets " + offsets + " do not hold "
                        + elements + " " + dtype + " values");
            }
        } catch (ArithmeticException ex) {
            throw corrupt(file, "tensor '" + name + "' is too large: shape " + shapeNode);
        }
        return new Entry(name, dtype, shape, begin, end, dataStart);
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
            throw corrupt(file, SafetensorsReader.METADATA_KEY + " must be an object of strings");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> m = it.next();
            if (!m.getValue().isTextual()) {
                throw corrupt(file, SafetensorsReader.METADATA_KEY + "." + m.getKey() + " must be a string, got " + m.getValue());
            }
            into.put(m.getKey(), m.getValue().asText());
        }
    }

    static ByteBuffer readFully(FileChannel ch, long position, int length, Path file) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining()) {
            int n = ch.read(b, position + b.position());
            if (n < 0) {
                throw corrupt(file, "truncated: ended at byte " + (position + b.position()));
            }
        }
        return b.flip();
    }

    static IOException corrupt(Path file, String what) {
        return new IOException(file + ": not a valid safetensors file: " + what);
    }
}
