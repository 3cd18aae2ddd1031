package io.rankrepro.tasks.inspect;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rankrepro.tasks.io.SafetensorsDtype;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes Hugging Face-style checkpoints for the tests: raw safetensors bytes in any dtype (the
 * project's writer refuses halves on purpose), an I64 tensor beside the weights, config.json, and
 * optionally two shards with a model.safetensors.index.json.
 */
final class TestCheckpoints {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A named row-major tensor in float64, stored as {@code dtype}. */
    record Tensor(String name, SafetensorsDtype dtype, long[] shape, double[] data) { }

    private TestCheckpoints() { }

    /** Rounds to what {@code dtype} stores (so that expectations can be computed from the stored values). */
    static double round(double v, SafetensorsDtype dtype) {
        return switch (dtype) {
            case F64 -> v;
            case F32 -> (float) v;
            case BF16 -> {
                int bits = Float.floatToIntBits((float) v);
                int rounded = bits + 0x7fff + ((bits >>> 16) & 1); // round to nearest even
                yield Float.intBitsToFloat(rounded & 0xffff0000);
            }
            case F16 -> halfToDouble(floatToHalf((float) v));
            default -> throw new IllegalArgumentException(dtype.toString());
        };
    }

    static short floatToHalf(float f) {
        // normal halves and the subnormals below 2^-14 (round to nearest even); no overflow here
        if (Math.abs(f) < 0x1p-14f) {
            int sub = (int) Math.rint(Math.abs(f) / 0x1p-24f);
            return (short) ((f < 0 ? 0x8000 : 0) | sub);
        }
        int bits = Float.floatToIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = ((bits >>> 23) & 0xff) - 127 + 15;
        int mant = bits & 0x7fffff;
        if (f == 0) {
            return (short) sign;
        }
        if (exp >= 31) {
            throw new IllegalArgumentException(f + " is not a normal half");
        }
        int half = sign | (exp << 10) | (mant >>> 13);
        int rest = mant & 0x1fff;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) == 1)) {
            half++;
        }
        return (short) half;
    }

    static double halfToDouble(short h) {
        int v = h & 0xffff;
        int sign = (v & 0x8000) != 0 ? -1 : 1;
        int exp = (v >>> 10) & 0x1f;
        int mant = v & 0x3ff;
        if (exp == 0) {
            return sign * mant * Math.pow(2, -24);
        }
        return sign * (1 + mant / 1024.0) * Math.pow(2, exp - 15);
    }

    static void write(Path file, List<Tensor> tensors) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        header.putObject("__metadata__").put("format", "pt");
        long offset = 0;
        for (Tensor t : tensors) {
            ObjectNode e = header.putObject(t.name());
            e.put("dtype", t.dtype().name());
            var shape = e.putArray("shape");
            for (long s : t.shape()) {
                shape.add(s);
            }
            long end = offset + t.dtype().bytesFor(t.data().length);
            e.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        try (OutputStream out = Files.newOutputStream(file)) {
            ByteBuffer prefix = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
            prefix.putLong(padded).put(json);
            while (prefix.hasRemaining()) {
                prefix.put((byte) ' ');
            }
            out.write(prefix.array());
            for (Tensor t : tensors) {
                ByteBuffer b = ByteBuffer.allocate((int) t.dtype().bytesFor(t.data().length)).order(ByteOrder.LITTLE_ENDIAN);
                for (double v : t.data()) {
                    switch (t.dtype()) {
                        case F64 -> b.putDouble(v);
                        case F32 -> b.putFloat((float) v);
                        case BF16 -> b.putShort((short) (Float.floatToIntBits((float) round(v, SafetensorsDtype.BF16)) >>> 16));
                        case F16 -> b.putShort(floatToHalf((float) v));
                        case I64 -> b.putLong((long) v);
                        default -> throw new IllegalArgumentException(t.dtype().toString());
                    }
                }
                out.write(b.array());
            }
        }
    }

    /** A model folder: config.json and one model.safetensors, or (shards = 2) two shards and an index. */
    static Path folder(Path dir, Map<String, Object> config, List<Tensor> tensors, int shards) throws IOException {
        Files.createDirectories(dir);
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), config);
        List<Tensor> all = new ArrayList<>();
        all.add(new Tensor("embeddings.position_ids", SafetensorsDtype.I64, new long[] {1, 4}, new double[] {0, 1, 2, 3}));
        all.addAll(tensors);
        if (shards == 1) {
            write(dir.resolve("model.safetensors"), all);
            return dir;
        }
        int half = all.size() / 2;
        Map<String, String> weightMap = new LinkedHashMap<>();
        String[] names = {"model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"};
        List<List<Tensor>> parts = List.of(all.subList(0, half), all.subList(half, all.size()));
        for (int i = 0; i < 2; i++) {
            write(dir.resolve(names[i]), parts.get(i));
            for (Tensor t : parts.get(i)) {
                weightMap.put(t.name(), names[i]);
            }
        }
        JSON.writeValue(dir.resolve("model.safetensors.index.json").toFile(), Map.of("metadata", Map.of(), "weight_map", weightMap));
        return dir;
    }
}
