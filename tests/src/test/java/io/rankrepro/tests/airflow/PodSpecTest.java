package io.rankrepro.tests.airflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.rankrepro.pipeline.airflow.AirflowPlan;
import io.rankrepro.pipeline.airflow.AirflowPlans;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The KubernetesPodOperator variant, checked on the pods it would submit (no cluster can run here):
 * every pod of every exported plan is valid against Kubernetes' schema, asks for exactly the plan's
 * CPUs, memory and GPUs (requests = limits), runs the task image by digest, takes MLflow's
 * credentials from a Kubernetes Secret only, and keeps /workspace in an emptyDir with outputs
 * shared through MLflow rather than on a ReadWriteOnce volume.
 */
class PodSpecTest {
    static final String FIG1 = "pipeline/experiments/kobayashi2024/fig1.yaml";
    /** Its paper-scale trainings estimate their memory: the pods must carry more than a JVM's floor. */
    static final String BOIX_FIG3 = "pipeline/experiments/boix2023/fig3.yaml";
    static final List<String> CREDENTIALS = List.of("MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD", "MLFLOW_TRACKING_TOKEN");

    @TempDir Path dir;

    @Test
    void everyPodAsksForItsPlannedResourcesTakesSecretsByReferenceAndPassesTheSchema() throws Exception {
        Path plans = Files.createDirectories(dir.resolve("plans"));
        PodSpecs.export(plans, FIG1, "smoke", "paper");
        PodSpecs.export(plans, BOIX_FIG3, "paper");
        String user = "user-" + UUID.randomUUID();
        String password = "pw-" + UUID.randomUUID();
        // Credentials in the Airflow components' environment too: they must not reach a pod spec.
        PodSpecs.Result r = PodSpecs.render(plans, dir, PodSpecs.deployment(Map.of(
                "MLFLOW_TRACKING_USERNAME", user, "MLFLOW_TRACKING_PASSWORD", password)));
        assertEquals(0, r.exitCode(), r.stderr());

        int pods = 0;
        int gpuPods = 0;
        long aboveFloor = 0;
        for (AirflowPlan plan : plans(plans)) {
            JsonNode dag = r.dags().path(plan.dagId());
            assertFalse(dag.isMissingNode(), plan.dagId() + " rendered: " + PodSpecs.names(r.dags()));
            Map<String, AirflowPlan.Resources> expected = new LinkedHashMap<>();
            plan.tasks().forEach(t -> expected.put(t.taskId(), t.resources()));
            for (String bookkeeping : List.of(AirflowPlans.START_RUN_TASK, AirflowPlans.END_RUN_TASK, AirflowPlans.MARK_FAILED_TASK)) {
                expected.put(bookkeeping, plan.runResources());
            }
            assertEquals(expected.keySet(), java.util.Set.copyOf(PodSpecs.names(dag)), plan.dagId() + ": one pod per task");
            for (Map.Entry<String, AirflowPlan.Resources> e : expected.entrySet()) {
                String where = plan.dagId() + "/" + e.getKey();
                JsonNode task = dag.path(e.getKey());
                assertEquals("KubernetesPodOperator", task.path("operator").asText(), where);
                assertTrue(task.path("schema_error").isNull(), where + " against Kubernetes " + r.report().path("kubernetes_version")
                        + ": " + task.path("schema_error"));
                JsonNode pod = task.path("pod");
                assertResources(e.getValue(), PodSpecs.container(pod), where);
                assertImageByDigest(pod, where);
                assertSecretsByReference(pod, where);
                assertSharedStoreNotSharedVolume(pod, where);
                if (PodSpecs.container(pod).path("resources").path("limits").has("nvidia.com/gpu")) {
                    gpuPods++;
                }
                String text = pod.toString();
                assertFalse(text.contains(password) || text.contains(user), where + " carries a credential's value");
                pods++;
            }
            aboveFloor += plan.tasks().stream().filter(t -> t.resources().memoryMib() > plan.runResources().memoryMib()).count();
            if (plan.profile().equals("smoke")) {
                assertTrue(plan.tasks().stream().allMatch(t -> t.resources().gpus() == 0), "no GPU at smoke");
            }
        }
        assertEquals(10 + 28 + 52, pods, "pods of fig1 at smoke (7 tasks + 3) and paper (25 + 3), boix2023/fig3 at paper (49 + 3)");
        assertEquals(24, gpuPods, "a GPU for each training at paper (12 in each plan), none elsewhere");
        assertTrue(aboveFloor >= 12, "boix2023/fig3's paper trainings ask for their estimated memory, not just a JVM's floor");
    }

    @Test
    void aReadWriteManyClaimIsMountedOnlyWhenOptedIn() throws Exception {
        Path plans = Files.createDirectories(dir.resolve("plans"));
        PodSpecs.export(plans, FIG1, "smoke");
        PodSpecs.Result r = PodSpecs.render(plans, dir, PodSpecs.deployment(Map.of("RANKREPRO_WORK_PVC", "rankrepro-shared")));
        assertEquals(0, r.exitCode(), r.stderr());
        JsonNode task = r.dags().path(AirflowPlans.dagId("kobayashi2024/fig1", "smoke")).path("figure");
        JsonNode work = workspaceVolume(task.path("pod"));
        assertEquals("rankrepro-shared", work.path("persistentVolumeClaim").path("claimName").asText(), work.toString());
        assertTrue(task.path("schema_error").isNull(), task.path("schema_error").toString());
    }

    @Test
    void aTaggedImageIsRefusedWithWhatToSetInstead() throws Exception {
        Path plans = Files.createDirectories(dir.resolve("plans"));
        PodSpecs.export(plans, FIG1, "smoke");
        PodSpecs.Result r = PodSpecs.render(plans, dir, PodSpecs.deployment(Map.of("RANKREPRO_TASK_IMAGE", "rankrepro-tasks:latest")));
        assertEquals(1, r.exitCode(), "a tag must not render: " + r.stderr());
        assertTrue(r.stderr().contains("by digest") && r.stderr().contains("make push-image-tasks"), r.stderr());
    }

    @Test
    void credentialsWithoutASecretAreRefusedNotCopiedIntoPods() throws Exception {
        Path plans = Files.createDirectories(dir.resolve("plans"));
        PodSpecs.export(plans, FIG1, "smoke");
        String password = "pw-" + UUID.randomUUID();
        Map<String, String> settings = new java.util.HashMap<>(PodSpecs.deployment(Map.of("MLFLOW_TRACKING_PASSWORD", password)));
        settings.remove("RANKREPRO_K8S_MLFLOW_SECRET");
        PodSpecs.Result r = PodSpecs.render(plans, dir, settings);
        assertEquals(1, r.exitCode(), "credentials without a Secret must not render: " + r.stderr());
        assertTrue(r.stderr().contains("RANKREPRO_K8S_MLFLOW_SECRET"), r.stderr());
        assertFalse(r.stderr().contains(password), "the refusal names the variable, never its value");
    }

    // ---- what each pod must say ---------------------------------------------------------------------

    /** requests = limits = the plan's numbers; nvidia.com/gpu only where the plan asks for GPUs. */
    static void assertResources(AirflowPlan.Resources planned, JsonNode container, String where) {
        Map<String, String> want = new LinkedHashMap<>();
        want.put("cpu", Integer.toString(planned.cpus()));
        want.put("memory", planned.memoryMib() + "Mi");
        if (planned.gpus() > 0) {
            want.put("nvidia.com/gpu", Integer.toString(planned.gpus()));
        }
        for (String side : List.of("requests", "limits")) {
            Map<String, String> got = new LinkedHashMap<>();
            container.path("resources").path(side).fields().forEachRemaining(f -> got.put(f.getKey(), f.getValue().asText()));
            assertEquals(want, got, where + " " + side);
        }
        assertEquals(Integer.toString(planned.cpus()), PodSpecs.env(container).get("OMP_NUM_THREADS").path("value").asText(),
                where + ": PyTorch threads = its cores");
    }

    static void assertImageByDigest(JsonNode pod, String where) {
        String image = PodSpecs.container(pod).path("image").asText();
        assertTrue(image.contains("@sha256:"), where + " runs " + image);
        assertEquals(PodSpecs.IMAGE, image, where);
    }

    /** Every MLflow credential is a secretKeyRef into the Secret, never a value; username and password both there. */
    static void assertSecretsByReference(JsonNode pod, String where) {
        Map<String, JsonNode> env = PodSpecs.env(PodSpecs.container(pod));
        assertTrue(env.containsKey("MLFLOW_TRACKING_USERNAME") && env.containsKey("MLFLOW_TRACKING_PASSWORD"), where + " env " + env.keySet());
        for (JsonNode e : PodSpecs.container(pod).path("env")) { // every entry: a name may appear twice
            String name = e.path("name").asText();
            if (!CREDENTIALS.contains(name)) {
                continue;
            }
            assertTrue(e.path("value").isMissingNode() || e.path("value").isNull(), where + ": " + name + " has a value");
            JsonNode ref = e.path("valueFrom").path("secretKeyRef");
            assertEquals(PodSpecs.SECRET, ref.path("name").asText(), where + ": " + name);
            assertEquals(name, ref.path("key").asText(), where + ": " + name);
        }
        assertTrue(PodSpecs.container(pod).path("envFrom").isEmpty(), where + ": no envFrom");
    }

    static void assertSharedStoreNotSharedVolume(JsonNode pod, String where) {
        assertEquals("mlflow", PodSpecs.env(PodSpecs.container(pod)).get("RANKREPRO_SHARED_STORE").path("value").asText(), where);
        for (JsonNode v : pod.path("spec").path("volumes")) {
            assertTrue(v.path("persistentVolumeClaim").isMissingNode(), where + ": no claim unless opted in: " + v);
        }
        assertTrue(workspaceVolume(pod).has("emptyDir"), where + ": /workspace is an emptyDir");
    }

    static JsonNode workspaceVolume(JsonNode pod) {
        String name = null;
        for (JsonNode m : PodSpecs.container(pod).path("volumeMounts")) {
            if ("/workspace".equals(m.path("mountPath").asText())) {
                name = m.path("name").asText();
            }
        }
        assertTrue(name != null, "/workspace is mounted");
        for (JsonNode v : pod.path("spec").path("volumes")) {
            if (v.path("name").asText().equals(name)) {
                return v;
            }
        }
        throw new AssertionError("no volume " + name);
    }

    private static List<AirflowPlan> plans(Path folder) throws Exception {
        List<AirflowPlan> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                out.add(AirflowPlans.read(f));
            }
        }
        return out;
    }
}
