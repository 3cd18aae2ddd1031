package io.rankrepro.pipeline.exec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rankrepro.mlflow.DatasetInput;
import io.rankrepro.pipeline.plan.Plan;
import io.rankrepro.pipeline.plan.Planner;
import io.rankrepro.pipeline.spec.SpecLoader;
import io.rankrepro.tasks.task.TaskKinds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a task tells MLflow of its lineage: the data it reads, the checkpoints it wrote. */
class LineageTest {
    @TempDir Path tmp;

    @Test
    void checkpointFilesAreFoundByStepAndNothingElseIs() {
        Map<Long, String> c = CheckpointModels.checkpoints(List.of("checkpoints/step_000001382.npz", "checkpoints/step_000000000.npz",
                "checkpoints/step_12.safetensors", "checkpoint-manifest.json", "loss.csv", "checkpoints/sub/step_1.npz"));
        assertEquals(Map.of(0L, "checkpoints/step_000000000.npz", 12L, "checkpoints/step_12.safetensors",
                1382L, "checkpoints/step_000001382.npz"), c);
    }

    @Test
    void aTrainingReadingPreparedDataLogsItWithTheHashOfTheFilesReadAsDigest() throws Exception {
        Plan plan = new Planner(TaskKinds.discover()).plan(SpecLoader.load(Path.of("experiments/boix2023/fig1.yaml")), "smoke", Map.of());
        Path dir = Files.createDirectories(tmp.resolve("0"));
        Files.write(dir.resolve("data.npz"), new byte[1234]);
        Map<String, String> files = Map.of("data.npz", "ab".repeat(32));
        TaskDescriptor.Input prepare = new TaskDescriptor.Input("prepare", "prepare", Map.of(), "k".repeat(64), "run7", files);
        List<DatasetInput> in = DatasetInputs.of(plan, plan.task("train[alpha=0.1]"), Map.of(), List.of(prepare), List.of(dir));
        assertEquals(1, in.size());
        DatasetInput d = in.get(0);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(("{\"data.npz\":\"" + "ab".repeat(32) + "\"}").getBytes(StandardCharsets.UTF_8)));
        assertEquals(sha.substring(0, 32), d.digest());
        assertEquals("rankrepro", d.sourceType());
        JsonNode source = new ObjectMapper().readTree(d.source());
        assertEquals("runs:/run7/outputs", source.path("uri").asText());
        assertEquals("prepare", source.path("task").asText());
        JsonNode profile = new ObjectMapper().readTree(d.profile());
        assertEquals(1, profile.path("files").asInt());
        assertEquals(1234, profile.path("bytes").asLong());
        assertEquals("train", d.context());

        // an external file is a local dataset with its own SHA-256 as digest
        Path external = Files.write(tmp.resolve("digits.csv"), new byte[10]);
        List<DatasetInput> ext = DatasetInputs.of(plan, plan.task("prepare"), Map.of(external.toString(), "cd".repeat(32)), List.of(), List.of());
        assertEquals("cd".repeat(16), ext.get(0).digest());
        assertEquals("local", ext.get(0).sourceType());
        assertTrue(ext.get(0).source().contains(external.toUri().toString()), ext.get(0).source());

        // what a training reads from another training (not a prepare task) is no dataset
        TaskDescriptor.Input train = new TaskDescriptor.Input("train", "train[alpha=0.1]", Map.of(), "t".repeat(64), "run8", files);
        assertEquals(0, DatasetInputs.of(plan, plan.task("analyze[alpha=0.1]"), Map.of(), List.of(train), List.of(dir)).size());
    }
}
