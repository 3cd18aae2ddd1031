package io.rankrepro.tests.airflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rankrepro.pipeline.airflow.AirflowClient;
import io.rankrepro.pipeline.airflow.AirflowCredentials;
import io.rankrepro.pipeline.airflow.AirflowException;
import io.rankrepro.pipeline.airflow.AirflowPlan;
import io.rankrepro.pipeline.airflow.AirflowPlans;
import io.rankrepro.pipeline.cli.RankreproCli;
import io.rankrepro.tests.containers.RankreproImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What `rankrepro airflow export` writes, and the client's credentials and errors: no Airflow needed. */
class AirflowPlansTest {
    @TempDir Path dir;

    private AirflowPlan export(String profile, String... extra) throws Exception {
        Path spec = RankreproImages.repoRoot().resolve("pipeline/experiments/kobayashi2024/fig1.yaml");
        List<String> args = new java.util.ArrayList<>(List.of("airflow", "export", "--spec", spec.toString(),
                "--profile", profile, "--out", dir.toString()));
        args.addAll(List.of(extra));
        assertEquals(0, RankreproCli.execute(args.toArray(String[]::new)));
        return AirflowPlans.read(dir.resolve("kobayashi2024__fig1__" + profile + ".json"));
    }

    @Test
    void theSmokePlanCarriesEachTasksExactCommandAndItsDependencies() throws Exception {
        AirflowPlan plan = export("smoke", "--set", "train.steps=200");
        assertEquals("rankrepro__kobayashi2024__fig1__smoke", plan.dagId());
        assertEquals(List.of("train.steps=200"), plan.overrides(), "export-time --set becomes the DAG's default overrides");
        Map<String, AirflowPlan.Task> byId = plan.tasks().stream().collect(Collectors.toMap(AirflowPlan.Task::id, t -> t));
        assertEquals(Set.of("train[lambda=0]", "train[lambda=0.2]", "train[lambda=0.4]", "analyze[lambda=0]",
                "analyze[lambda=0.2]", "analyze[lambda=0.4]", "figure"), byId.keySet());
        AirflowPlan.Task analyze = byId.get("analyze[lambda=0.2]");
        assertEquals("analyze__lambda_0.2", analyze.taskId());
        assertEquals(List.of(AirflowPlans.START_RUN_TASK, "train__lambda_0.2"), analyze.upstream());
        assertEquals(List.of("task", "--spec", "/opt/rankrepro/experiments/kobayashi2024/fig1.yaml", "--profile", "smoke",
                "--task", "analyze[lambda=0.2]", "--workdir", "/workspace/work"), analyze.args());
        assertEquals(Set.of(AirflowPlans.START_RUN_TASK, "analyze__lambda_0", "analyze__lambda_0.2", "analyze__lambda_0.4"),
                Set.copyOf(byId.get("figure").upstream()));
        assertTrue(plan.tasks().stream().allMatch(t -> t.resources().gpus() == 0), "no GPUs at smoke");
        // The Airflow components run as another user: the file must be readable by all.
        assertTrue(Files.getPosixFilePermissions(dir.resolve("kobayashi2024__fig1__smoke.json")).contains(PosixFilePermission.OTHERS_READ));
    }

    @Test
    void thePaperPlanAsksForAGpuPerTrainingTaskUnlessToldOtherwise() throws Exception {
        AirflowPlan paper = export("paper");
        assertEquals(12, paper.tasks().stream().filter(t -> t.stage().equals("train")).count());
        paper.tasks().forEach(t -> assertEquals(t.stage().equals("train") ? 1 : 0, t.resources().gpus(), t.id()));
        AirflowPlan cpuOnly = export("paper", "--gpus", "train=0");
        assertTrue(cpuOnly.tasks().stream().allMatch(t -> t.resources().gpus() == 0));
    }

    @Test
    void eachTaskCarriesItsCoresAndMemoryWhichTheExportCanSetPerStage() throws Exception {
        AirflowPlan smoke = export("smoke");
        assertEquals(AirflowPlan.FORMAT, smoke.format());
        assertEquals(new AirflowPlan.Resources(0, 1, 2048), smoke.runResources(), "the MLflow bookkeeping tasks: one JVM");
        // kobayashi2024/fig1's kinds make no memory estimate: a JVM's floor; trainings compute with two threads.
        smoke.tasks().forEach(t -> assertEquals(new AirflowPlan.Resources(0, t.stage().equals("train") ? 2 : 1, 2048), t.resources(), t.id()));
        AirflowPlan set = export("smoke", "--cpus", "train=4", "--memory-mib", "analyze=3000");
        set.tasks().forEach(t -> {
            assertEquals(t.stage().equals("train") ? 4 : 1, t.resources().cpus(), t.id());
            assertEquals(t.stage().equals("analyze") ? 3000 : 2048, t.resources().memoryMib(), t.id());
        });
    }

    @Test
    void aTrainingsMemoryEstimateSizesItsTaskWithHeadroom() throws Exception {
        Path spec = RankreproImages.repoRoot().resolve("pipeline/experiments/boix2023/fig3.yaml");
        assertEquals(0, RankreproCli.execute("airflow", "export", "--spec", spec.toString(), "--profile", "paper", "--out", dir.toString()));
        AirflowPlan paper = AirflowPlans.read(dir.resolve("boix2023__fig3__paper.json"));
        var trains = paper.tasks().stream().filter(t -> t.kind().equals("transformer/train")).toList();
        assertEquals(12, trains.size());
        // transformer/train estimates its memory (TrainingMemory): 2 GiB for the JVM + twice that, far above the floor.
        trains.forEach(t -> assertTrue(t.resources().memoryMib() > 2048 + 1024, t.id() + ": " + t.resources()));
    }

    @Test
    void aResourceForANonexistentStageOrABadNumberFailsTheExportWithExitCode2() {
        Path spec = RankreproImages.repoRoot().resolve("pipeline/experiments/kobayashi2024/fig1.yaml");
        assertEquals(2, RankreproCli.execute("airflow", "export", "--spec", spec.toString(), "--profile", "smoke",
                "--out", dir.toString(), "--cpus", "trian=2"));
        assertEquals(2, RankreproCli.execute("airflow", "export", "--spec", spec.toString(), "--profile", "smoke",
                "--out", dir.toString(), "--cpus", "train=0"));
        assertFalse(Files.exists(dir.resolve("kobayashi2024__fig1__smoke.json")));
    }

    @Test
    void aBadOverrideFailsTheExportWithExitCode2() {
        Path spec = RankreproImages.repoRoot().resolve("pipeline/experiments/kobayashi2024/fig1.yaml");
        assertEquals(2, RankreproCli.execute("airflow", "export", "--spec", spec.toString(), "--profile", "smoke",
                "--out", dir.toString(), "--set", "train.nosuch=1"));
        assertFalse(Files.exists(dir.resolve("kobayashi2024__fig1__smoke.json")));
    }

    @Test
    void credentialsComeFromEnvOrEitherFileFormatAndNeverPrintThePassword() throws Exception {
        AirflowCredentials env = AirflowCredentials.resolve(null, Map.of("AIRFLOW_USERNAME", "u", "AIRFLOW_PASSWORD", "p4ss"), dir);
        assertEquals("p4ss", env.password());
        assertFalse(env.toString().contains("p4ss"));
        Path props = Files.writeString(dir.resolve("c.properties"), "username=admin\npassword=s3cret\n");
        assertEquals(new AirflowCredentials("admin", "s3cret"), AirflowCredentials.resolve(null, Map.of("AIRFLOW_CREDENTIALS_FILE", props.toString()), dir));
        Path json = Files.writeString(dir.resolve("passwords.json"), "{\"admin\": \"xyz\"}");
        assertEquals(new AirflowCredentials("admin", "xyz"), AirflowCredentials.fromFile(json));
        assertThrows(IllegalArgumentException.class, () -> AirflowCredentials.resolve(null, Map.of(), dir));
    }

    @Test
    void theLocalStacksGeneratedPasswordIsFoundWithoutAnySetting() throws Exception {
        assertEquals(new AirflowCredentials("admin", "only-pw"), AirflowCredentials.resolve(null, Map.of("AIRFLOW_PASSWORD", "only-pw"), dir),
                "AIRFLOW_PASSWORD alone is the stack's user admin");
        // What `make up` writes (docker/airflow-settings.sh), found from the repository or any folder below it.
        Path stack = Files.createDirectories(dir.resolve("docker/.build")).resolve("airflow.env");
        Files.writeString(stack, "AIRFLOW__API_AUTH__JWT_SECRET=abc\nAIRFLOW_ADMIN_PASSWORD=0f1e2d3c\n");
        Path below = Files.createDirectories(dir.resolve("pipeline/experiments"));
        assertEquals(new AirflowCredentials("admin", "0f1e2d3c"), AirflowCredentials.resolve(null, Map.of(), below));
        assertEquals(new AirflowCredentials("admin", "0f1e2d3c"), AirflowCredentials.resolve(stack, Map.of(), below), "as --credentials-file");
        assertEquals("u", AirflowCredentials.resolve(null, Map.of("AIRFLOW_USERNAME", "u", "AIRFLOW_PASSWORD", "p"), below).username(),
                "the environment comes first");
    }

    @Test
    void anUnreachableAirflowIsAnErrorWithoutStatusThatNamesTheAddress() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        AirflowClient client = new AirflowClient("http://127.0.0.1:" + port, new AirflowCredentials("admin", "secret-pw"));
        AirflowException e = assertThrows(AirflowException.class, client::health);
        assertEquals(0, e.status());
        assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
        assertFalse(e.getMessage().contains("secret-pw"));
    }
}
