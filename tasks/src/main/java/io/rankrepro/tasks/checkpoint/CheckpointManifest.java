package io.rankrepro.tasks.checkpoint;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code checkpoints.json} a {@code checkpoint/verify} task leaves in its output folder: one
 * entry per verified checkpoint, sorted by step. Analysis tasks read it to find checkpoint files.
 *
 * @param checkpoints sorted by step, then file
 */
public record CheckpointManifest(List<Checkpoint> checkpoints) {
    public static final String FILE_NAME = "checkpoints.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * One verified checkpoint.
     *
     * @param file    path relative to the folder holding {@code checkpoints.json}, e.g. {@code checkpoints/step_000000100.npz}
     * @param step    the training step, from {@code step_%09d} in the file name
     * @param sha256  lowercase hex SHA-256 of the file's bytes
     * @param bytes   file size
     * @param tensors tensor name → shape, sorted by name
     */
    public record Checkpoint(String file, long step, String sha256, long bytes, Map<String, List<Long>> tensors) {
        public Checkpoint {
            tensors = java.util.Collections.unmodifiableMap(new TreeMap<>(tensors));
        }
    }

    public CheckpointManifest {
        checkpoints = checkpoints.stream()
                .sorted(Comparator.comparingLong(Checkpoint::step).thenComparing(Checkpoint::file))
                .toList();
    }

    /** The manifest in {@code dir}; fails naming the file when it is missing or malformed. */
    public static CheckpointManifest read(Path dir) throws IOException {
        Path file = dir.resolve(FILE_NAME);
        try {
            return new CheckpointManifest(JSON.readValue(file.toFile(), new TypeReference<List<Checkpoint>>() { }));
        } catch (IOException e) {
            throw new IOException("cannot read checkpoint manifest " + file + ": " + e.getMessage(), e);
        }
    }

    public void write(Path dir) throws IOException {
        JSON.writeValue(dir.resolve(FILE_NAME).toFile(), checkpoints);
    }

    /** The checkpoint at {@code step}; fails listing the steps there are. */
    public Checkpoint atStep(long step) {
        return checkpoints.stream().filter(c -> c.step() == step).findFirst().orElseThrow(() ->
                new IllegalArgumentException("no checkpoint at step " + step + " (have "
                        + checkpoints.stream().map(Checkpoint::step).toList() + ")"));
    }
}
