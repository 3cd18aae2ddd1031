package io.rankrepro.pipeline.exec;

import io.rankrepro.pipeline.plan.Plan;
import io.rankrepro.pipeline.plan.PlannedTask;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs each task in a container of the task image: the same {@code rankrepro task} command a
 * local run uses, with the work folder and the spec's folder mounted, logging to MLflow itself.
 * Keys agree with the host's because the image carries the same tasks jar (same code version).
 */
public final class DockerLauncher implements TaskLauncher {
    /**
     * @param trackingUri the tracking server as seen from inside a container; null for no tracking
     * @param network     the containers' network ("host" reaches a server on this machine's loopback)
     */
    public record Settings(String image, Path workdir, Path spec, String profile, Map<String, Object> overrides,
                           String trackingUri, String network, PrintStream out) {
        public Settings {
            overrides = Map.copyOf(overrides);
        }
    }

    private static final String WORK = "/workspace/work";
    private static final String SPEC_DIR = "/workspace/spec";
    private final Settings settings;

    public DockerLauncher(Settings settings) {
        this.settings = settings;
    }

    @Override
    public boolean launch(Plan plan, PlannedTask task, TaskKeys keys, String parentRunId, boolean force) throws TaskFailure {
        // the container's `rankrepro task` takes the task's lock too; whether it reused is only in its log
        ChildProcess.run(command(task, parentRunId), Map.of(), task.id(), settings.out(),
                " (is Docker installed and the image built? `make images`)");
        return false;
    }

    /** The docker command line for one task. */
    List<String> command(PlannedTask task, String parentRunId) {
        Path spec = settings.spec().toAbsolutePath().normalize();
        List<String> cmd = new ArrayList<>(List.of("docker", "run", "--rm",
                "--user", hostId("-u") + ":" + hostId("-g"),
                "-v", settings.workdir().toAbsolutePath().normalize() + ":" + WORK,
                "-v", spec.getParent() + ":" + SPEC_DIR + ":ro"));
        // Data sets live under .cache/datasets relative to the working directory (see data/data.mk).
        Path datasets = Path.of(".cache", "datasets").toAbsolutePath().normalize();
        if (java.nio.file.Files.isDirectory(datasets)) {
            cmd.addAll(List.of("-v", datasets + ":" + "/workspace/.cache/datasets:ro"));
        }
        if (settings.network() != null) {
            cmd.addAll(List.of("--network", settings.network()));
        }
        cmd.addAll(List.of("-e", io.rankrepro.tasks.task.ComputeDevice.ENV + "=" + io.rankrepro.tasks.task.ComputeDevice.setting()));
        if (!io.rankrepro.tasks.task.ComputeDevice.setting().equals("cpu")) {
            // the GPUs reach a container only when asked for (NVIDIA Container Toolkit); auto may then find one
            if (hasNvidiaRuntime()) {
                cmd.addAll(List.of("--gpus", "all"));
            }
        }
        for (String env : List.of("MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD", "MLFLOW_TRACKING_TOKEN")) {
            if (System.getenv(env) != null) {
                cmd.addAll(List.of("-e", env)); // by name only: the value never appears on a command line
            }
        }
        cmd.add(settings.image());
        cmd.addAll(new TaskInvocation(SPEC_DIR + "/" + spec.getFileName(), settings.profile(), settings.overrides(),
                task.id(), WORK, settings.trackingUri(), parentRunId).args());
        return cmd;
    }

    @Override
    public String name() {
        return "docker " + settings.image();
    }

    /** Whether this host can give containers its GPUs: nvidia-smi answers (the toolkit comes with the driver setup). */
    private static boolean hasNvidiaRuntime() {
        try {
            Process p = new ProcessBuilder("nvidia-smi", "-L").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The host user's ids, so files the container writes in the work folder belong to the user. */
    private static String hostId(String flag) {
        try {
            Process p = new ProcessBuilder("id", flag).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor() == 0 && out.matches("\\d+") ? out : "10001";
        } catch (IOException e) {
            return "10001";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "10001";
        }
    }
}
