package io.rankrepro.pipeline.airflow;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.rankrepro.pipeline.plan.Plan;
import io.rankrepro.pipeline.plan.PlannedTask;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a planner {@link Plan} into the {@link AirflowPlan} the DAG file reads. The Java planner
 * stays the one source of truth: the DAG file never expands sweeps or resolves params itself.
 */
public final class AirflowPlans {
    /** Where the task image keeps the specs; a host folder of specs may be mounted over it. */
    public static final String IMAGE_SPECS = "/opt/rankrepro/experiments";
    /** The work folder inside a task container (as in {@code DockerLauncher}). */
    public static final String WORKDIR = "/workspace/work";
    /** Where the end task writes figures, run.json and provenance.json (next to the work folder, as locally). */
    public static final String RESULTS = "/workspace/work/results";
    public static final String START_RUN_TASK = "mlflow_start_run";
    public static final String END_RUN_TASK = "mlflow_end_run";
    public static final String MARK_FAILED_TASK = "mlflow_mark_failed";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private AirflowPlans() { }

    /**
     * @param specRelative the spec's path below the experiments folder, e.g. {@code kobayashi2024/fig1.yaml}
     * @param overrides    the {@code --set STAGE.PARAM=VALUE} strings the plan was made with
     * @param resources    what each task asks of the machine that runs it
     */
    public static AirflowPlan of(Plan plan, String specRelative, List<String> overrides, String codeVersion,
                                 TaskResources resources) {
        String spec = IMAGE_SPECS + "/" + specRelative.replace('\\', '/');
        String profile = plan.info().profile();
        Map<String, String> airflowIds = new HashMap<>();
        List<AirflowPlan.Task> tasks = new ArrayList<>();
        for (PlannedTask t : plan.tasks()) {
            String taskId = taskId(t.id());
            if (airflowIds.containsValue(taskId)) {
                throw new IllegalArgumentException("two tasks map to the Airflow task id " + taskId + "; rename a sweep value");
            }
            airflowIds.put(t.id(), taskId);
            List<String> upstream = new ArrayList<>();
            upstream.add(START_RUN_TASK);
            t.upstream().forEach(u -> upstream.add(airflowIds.get(u)));
            List<String> args = List.of("task", "--spec", spec, "--profile", profile, "--task", t.id(), "--workdir", WORKDIR);
            tasks.add(new AirflowPlan.Task(t.id(), taskId, t.stage(), t.kind(), upstream, args, resources.of(t)));
        }
        List<String> start = List.of("mlflow", "start-run", "--spec", spec, "--profile", profile);
        List<String> end = List.of("mlflow", "end-run", "--spec", spec, "--profile", profile, "--workdir", WORKDIR,
                "--results", RESULTS);
        return new AirflowPlan(AirflowPlan.FORMAT, dagId(plan.spec().id(), profile), plan.spec().id(), plan.spec().title(),
                profile, plan.info().seed(), spec, plan.spec().sha256(), codeVersion, overrides, start, end,
                TaskResources.BOOKKEEPING, tasks);
    }

    /** {@code rankrepro__boix2023__fig1__smoke}: Airflow DAG ids allow letters, digits, {@code _ . -}. */
    public static String dagId(String experiment, String profile) {
        return "rankrepro__" + safe(experiment.replace("/", "__")) + "__" + safe(profile);
    }

    /** {@code train[lambda=0.2]} → {@code train__lambda_0.2}; {@code a[x=1,y=2]} → {@code a__x_1__y_2}. */
    public static String taskId(String rankreproTaskId) {
        String s = rankreproTaskId.replace("[", "__").replace("]", "").replace(",", "__").replace("=", "_");
        return safe(s);
    }

    private static String safe(String s) {
        return s.replaceAll("[^A-Za-z0-9_.-]", "_");
    }

    /** The file name the DAG file looks for: {@code <experiment with / → __>__<profile>.json}. */
    public static String fileName(AirflowPlan plan) {
        return plan.experiment().replace("/", "__") + "__" + plan.profile() + ".json";
    }

    /** Writes the plan into {@code dir} atomically (the dag-processor may read the folder at any time). */
    public static Path write(AirflowPlan plan, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path target = dir.resolve(fileName(plan));
        Path tmp = Files.createTempFile(dir, ".plan", ".tmp");
        try {
            JSON.writeValue(tmp.toFile(), plan);
            // createTempFile makes it owner-only; Airflow (another uid in its container) must read it.
            try {
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system: the default permissions apply
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return target;
    }

    public static AirflowPlan read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), AirflowPlan.class);
    }

    public static String toJson(AirflowPlan plan) throws IOException {
        return JSON.writeValueAsString(plan);
    }

    /** The spec's path below the nearest enclosing folder named {@code experiments} (else its file name). */
    public static String specRelative(Path spec) {
        Path abs = spec.toAbsolutePath().normalize();
        for (Path p = abs.getParent(); p != null; p = p.getParent()) {
            if (p.getFileName() != null && p.getFileName().toString().equals("experiments")) {
                return p.relativize(abs).toString().replace('\\', '/');
            }
        }
        return abs.getFileName().toString();
    }
}
