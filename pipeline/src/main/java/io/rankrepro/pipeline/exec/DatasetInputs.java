package io.rankrepro.pipeline.exec;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rankrepro.mlflow.DatasetInput;
import io.rankrepro.pipeline.plan.Plan;
import io.rankrepro.pipeline.plan.PlannedTask;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The datasets a task reads, as MLflow dataset inputs: each external file its contract names (a real
 * data set or the offline proxy: source {@code local}, digest its SHA-256) and the output of each
 * upstream prepare task it reads (source {@code rankrepro}: that task's key and run; digest the hash
 * of the files read; profile their count and size). Digests are SHA-256 prefixes of 32 hex digits,
 * within MLflow's 36.
 */
final class DatasetInputs {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int DIGEST = 32;

    private DatasetInputs() {
    }

    /** A producing task is a data set when its kind prepares data ({@code .../prepare}). */
    static boolean isData(PlannedTask producer) {
        return producer.kind().endsWith("/prepare");
    }

    /**
     * @param external file (as the contract names it) → SHA-256, from the task's key material
     * @param read     the upstream outputs it reads, with their folders in the input view
     */
    static List<DatasetInput> of(Plan plan, PlannedTask task, Map<String, String> external,
                                 List<TaskDescriptor.Input> read, List<Path> readDirs) {
        List<DatasetInput> out = new ArrayList<>();
        external.forEach((file, sha) -> out.add(new DatasetInput(Path.of(file).getFileName().toString(), prefix(sha), "local",
                json(Map.of("uri", Path.of(file).toAbsolutePath().normalize().toUri().toString())),
                "", json(Map.of("files", 1, "bytes", size(Path.of(file)))), task.stage())));
        for (int i = 0; i < read.size(); i++) {
            TaskDescriptor.Input in = read.get(i);
            if (!isData(plan.task(in.taskId()))) {
                continue;
            }
            Map<String, Object> source = new LinkedHashMap<>();
            source.put("uri", in.runId() == null ? "rankrepro:tasks/" + in.key() : "runs:/" + in.runId() + "/outputs");
            source.put("task", in.taskId());
            source.put("task_key", in.key());
            long bytes = 0;
            for (String f : in.files().keySet()) {
                bytes += size(readDirs.get(i).resolve(f));
            }
            out.add(new DatasetInput(plan.spec().id() + ":" + in.taskId(),
                    prefix(Hashing.sha256(Hashing.canonicalJson(in.files()).getBytes(StandardCharsets.UTF_8))), "rankrepro",
                    json(source), json(Map.of("files", in.files().keySet())),
                    json(Map.of("files", in.files().size(), "bytes", bytes)), task.stage()));
        }
        return out;
    }

    private static String prefix(String sha) {
        return sha.length() <= DIGEST ? sha : sha.substring(0, DIGEST);
    }

    private static long size(Path f) {
        try {
            return Files.isRegularFile(f) ? Files.size(f) : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
