package io.rankrepro.tasks.inspect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rankrepro.tasks.io.SafetensorsHeader;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A Hugging Face checkpoint opened for reading one tensor at a time: a folder with
 * {@code model.safetensors.index.json} (shards named by its {@code weight_map}), or
 * {@code model.safetensors}, or other {@code *.safetensors} shards; or a single {@code .safetensors}
 * file. Every shard's header is checked against its file when opened ({@link SafetensorsHeader}:
 * truncation, offsets that lie), so a bad file fails before anything is computed or written.
 * Tensors are then memory-mapped on demand ({@link #matrix}) and unmapped when closed: memory holds
 * what one layer needs, not the model. {@code config.json} beside the weights is read when present.
 */
public final class MappedCheckpoint implements AutoCloseable {
    public static final String INDEX = "model.safetensors.index.json";
    public static final String SINGLE = "model.safetensors";
    public static final String CONFIG = "config.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;
    private final ModelConfig config;
    private final Path configFile;
    private final Map<String, SafetensorsHeader.Entry> entries;
    private final Map<String, Path> fileOf;
    private final Map<Path, FileChannel> channels = new LinkedHashMap<>();
    private final Map<String, String> metadata;

    private MappedCheckpoint(Path path, ModelConfig config, Path configFile, Map<String, SafetensorsHeader.Entry> entries,
                             Map<String, Path> fileOf, Map<String, String> metadata) {
        this.path = path;
        this.config = config;
        this.configFile = configFile;
        this.entries = entries;
        this.fileOf = fileOf;
        this.metadata = metadata;
    }

    /** Opens {@code path} (see the class comment); an IOException names the file and what is wrong with it. */
    public static MappedCheckpoint open(Path path) throws IOException {
        if (!Files.exists(path)) {
            throw new IOException(path + ": no such file or folder");
        }
        List<Path> shards = shards(path);
        Path dir = Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
        Path configFile = dir == null ? null : dir.resolve(CONFIG);
        ModelConfig config = configFile != null && Files.isRegularFile(configFile) ? ModelConfig.read(configFile) : ModelConfig.unknown();
        Map<String, SafetensorsHeader.Entry> entries = new LinkedHashMap<>();
        Map<String, Path> fileOf = new LinkedHashMap<>();
        Map<String, String> metadata = new TreeMap<>();
        for (Path shard : shards) {
            SafetensorsHeader h = SafetensorsHeader.read(shard);
            metadata.putAll(h.metadata());
            for (SafetensorsHeader.Entry e : h.entries()) {
                Path before = fileOf.put(e.name(), shard);
                if (before != null) {
                    throw new IOException(shard + ": tensor '" + e.name() + "' is also in " + before);
                }
                entries.put(e.name(), e);
            }
        }
        Path index = Files.isDirectory(path) ? path.resolve(INDEX) : null;
        if (index != null && Files.isRegularFile(index)) {
            for (Map.Entry<String, Path> m : weightMap(index).entrySet()) {
                Path actual = fileOf.get(m.getKey());
                if (actual == null || !actual.equals(m.getValue())) {
                    throw new IOException(index + ": weight_map puts '" + m.getKey() + "' in " + m.getValue().getFileName()
                            + (actual == null ? ", which does not hold it" : ", but it is in " + actual.getFileName()));
                }
            }
        }
        return new MappedCheckpoint(path, config, configFile != null && Files.isRegularFile(configFile) ? configFile : null,
                entries, fileOf, metadata);
    }

    /** The safetensors files of {@code path}, in a fixed order. */
    public static List<Path> shards(Path path) throws IOException {
        if (!Files.isDirectory(path)) {
            return List.of(path);
        }
        Path index = path.resolve(INDEX);
        if (Files.isRegularFile(index)) {
            return List.copyOf(new java.util.LinkedHashSet<>(new TreeMap<>(weightMap(index)).values()).stream().sorted().toList());
        }
        if (Files.isRegularFile(path.resolve(SINGLE))) {
            return List.of(path.resolve(SINGLE));
        }
        try (Stream<Path> s = Files.list(path)) {
            List<Path> found = s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
            if (found.isEmpty()) {
                throw new IOException(path + ": no " + SINGLE + ", " + INDEX + " or other .safetensors file");
            }
            return found;
        }
    }

    /** Every file the checkpoint consists of (shards, index, config): what a task key hashes. */
    public static List<Path> files(Path path) {
        try {
            List<Path> out = new ArrayList<>(shards(path));
            if (Files.isDirectory(path)) {
                for (String extra : List.of(INDEX, CONFIG)) {
                    if (Files.isRegularFile(path.resolve(extra))) {
                        out.add(path.resolve(extra));
                    }
                }
            }
            return out;
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static Map<String, Path> weightMap(Path index) throws IOException {
        JsonNode n;
        try {
            n = JSON.readTree(Files.readAllBytes(index));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(index + ": not JSON: " + e.getOriginalMessage());
        }
        JsonNode map = n == null ? null : n.get("weight_map");
        if (map == null || !map.isObject() || map.isEmpty()) {
            throw new IOException(index + ": needs a non-empty \"weight_map\": {tensor: shard file}");
        }
        Map<String, Path> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String file = e.getValue().asText("");
            if (!e.getValue().isTextual() || file.isEmpty() || file.contains("/") || file.contains("\\")) {
                throw new IOException(index + ": weight_map." + e.getKey() + " must name a shard file beside the index, got " + e.getValue());
            }
            Path shard = index.getParent().resolve(file);
            if (!Files.isRegularFile(shard)) {
                throw new IOException(index + ": shard " + file + " (of '" + e.getKey() + "') does not exist");
            }
            out.put(e.getKey(), shard);
        }
        return out;
    }

    public Path path() {
        return path;
    }

    /** config.json's attention shape, or {@link ModelConfig#unknown()} when there is none. */
    public ModelConfig config() {
        return config;
    }

    /** The config.json read, or null. */
    public Path configFile() {
        return configFile;
    }

    public Set<String> names() {
        return entries.keySet();
    }

    public boolean has(String name) {
        return entries.containsKey(name);
    }

    /** The tensor's place, or null when there is none. */
    public SafetensorsHeader.Entry entry(String name) {
        return entries.get(name);
    }

    /** The shard holding {@code name}. */
    public Path fileOf(String name) {
        return fileOf.get(name);
    }

    /** The shards' {@code __metadata__}, merged. */
    public Map<String, String> metadata() {
        return java.util.Collections.unmodifiableMap(metadata);
    }

    /** Maps 2-D tensor {@code name}; close the result to unmap it. */
    public MappedMatrix matrix(String name) throws IOException {
        SafetensorsHeader.Entry e = entries.get(name);
        Path file = fileOf.get(name);
        if (e == null) {
            throw new IOException(path + ": no tensor '" + name + "'");
        }
        long[] shape = e.shape();
        if (shape.length != 2 || !e.dtype().readable()) {
            throw new IOException(file + ": tensor '" + name + "' is " + e.dtype() + " " + java.util.Arrays.toString(shape)
                    + "; an attention weight must be a 2-D F64, F32, F16 or BF16 matrix");
        }
        if (e.bytes() > Integer.MAX_VALUE) {
            throw new IOException(file + ": tensor '" + name + "' has " + e.bytes() + " bytes; one mapping holds at most 2 GiB");
        }
        FileChannel ch;
        synchronized (channels) {
            ch = channels.get(file);
            if (ch == null) {
                ch = FileChannel.open(file, StandardOpenOption.READ);
                channels.put(file, ch);
            }
        }
        MappedByteBuffer b = ch.map(FileChannel.MapMode.READ_ONLY, e.position(), e.bytes());
        b.order(ByteOrder.LITTLE_ENDIAN);
        return new MappedMatrix(name, file, e.dtype(), (int) shape[0], (int) shape[1], b);
    }

    @Override
    public void close() throws IOException {
        synchronized (channels) {
            for (FileChannel ch : channels.values()) {
                ch.close();
            }
            channels.clear();
        }
    }
}
