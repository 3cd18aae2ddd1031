package io.rankrepro.tasks.weightdecay;

import io.rankrepro.tasks.io.SafetensorsFile;
import io.rankrepro.tasks.io.SafetensorsReader;
import io.rankrepro.tasks.io.SafetensorsTensor;
import io.rankrepro.tasks.task.TaskContext;
import io.rankrepro.tasks.task.TaskInput;
import io.rankrepro.tasks.train.TrainTask;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where paper A's analyses find weights: the {@code checkpoints/} of the upstream {@code checkpoint}
 * stage ({@code checkpoint/verify}'s verified copies; declared in each kind's contract), or a user's
 * file — one {@code .safetensors} file, or a folder whose {@code *.safetensors} shards (e.g.
 * {@code model-00001-of-00002.safetensors}) are merged. Files are read whole into float64: a shard needs about 4× its bf16 size in heap.
 */
public final class CheckpointFiles {
    private CheckpointFiles() { }

    /** The stage whose {@code checkpoints/} the analyses read: {@code checkpoint/verify}'s verified copies. */
    public static final String STAGE = "checkpoint";
    /** The folder of that stage's output that holds the checkpoints, as a contract names it. */
    public static final String FOLDER = TrainTask.CHECKPOINTS + "/";
    /** The train stage's description of its model (architecture, held-out fraction). */
    public static final String MODEL = "model.json";

    /** The checkpoints of the declared {@value #STAGE} input on this task's branch, in step order (file names sort by step). */
    public static List<Path> upstream(TaskContext ctx) throws IOException {
        List<TaskInput> found = ctx.inputs(STAGE);
        if (found.isEmpty()) {
            throw new IllegalStateException(ctx.taskId() + ": no upstream '" + STAGE + "' stage and no 'checkpoint' param");
        }
        Path dir = ctx.input(STAGE).dir().resolve(TrainTask.CHECKPOINTS);
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + ": no checkpoints/ folder in the output of " + found.get(0).taskId());
        }
        List<Path> files = safetensorsIn(dir);
        if (files.isEmpty()) {
            throw new IOException(dir + ": no .safetensors checkpoints");
        }
        return files;
    }

    /**
     * The files {@link #readMerged} reads for {@code path}: the file itself, or a folder's
     * {@code *.safetensors} shards (what a standalone analysis's key must hash).
     */
    public static List<Path> filesOf(Path path) {
        if (!Files.isDirectory(path)) {
            return List.of(path);
        }
        try {
            return safetensorsIn(path);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A file, or every shard of a folder merged into one (tensor names must not repeat). */
    public static SafetensorsFile readMerged(Path path) throws IOException {
        if (!Files.isDirectory(path)) {
            return SafetensorsReader.read(path);
        }
        List<Path> shards = safetensorsIn(path);
        if (shards.isEmpty()) {
            throw new IOException(path + ": no .safetensors files");
        }
        Map<String, SafetensorsTensor> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Path shard : shards) {
            SafetensorsFile f = SafetensorsReader.read(shard);
            metadata.putAll(f.metadata());
            for (SafetensorsTensor t : f.tensors().values()) {
                if (tensors.put(t.name(), t) != null) {
                    throw new IOException("tensor " + t.name() + " appears in more than one shard of " + path);
                }
            }
        }
        return SafetensorsFile.of(new ArrayList<>(tensors.values()), metadata);
    }

    private static List<Path> safetensorsIn(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> f.toString().endsWith(".safetensors")).sorted().toList();
        }
    }
}
