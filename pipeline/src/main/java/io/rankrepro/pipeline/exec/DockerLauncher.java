package io.rankrepro.pipeline.exec;

import io.rankrepro.pipeline.plan.Plan;
import io.rankrepro.pipeline.plan.PlannedTask;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
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
    /** What the container needs besides the task: where things are, and how to reach MLflow. */
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
    public void launch(Plan plan, PlannedTask task, Map<String, String> keys, String parentRunId) throws TaskFailure {
        List<String> cmd = command(task, parentRunId);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            StringBuilder tail = new StringBuilder();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    settings.out().println("  [" + task.id() + "] " + line);
                    tail.append(line).append('\n');
                    if (tail.length() > 4000) {
                        tail.delete(0, tail.length() - 4000);
                    }
                }
            }
            int code = p.waitFor();
            if (code != 0) {
                throw new TaskFailure(task.id() + " failed in container " + settings.image() + " (exit " + code + "):\n" + tail);
            }
        } catch (IOException e) {
            throw new TaskFailure("cannot run docker for " + task.id() + ": " + e.getMessage()
                    + " (is Docker installed and is the image built? `make images`)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TaskFailure(task.id() + " interrupted", e);
        }
    }

    /** The docker command line for one task. */
    List<String> command(PlannedTask task, String parentRunId) {
        Path spec = settings.spec().toAbsolutePath().normalize();
        List<String> cmd = new ArrayList<>(List.of("docker", "run", "--rm",
                "--user", uid() + ":" + gid(),
                "-v", settings.workdir().toAbsolutePath().normalize() + ":" + WORK,
                "-v", spec.getParent() + ":" + SPEC_DIR + ":ro"));
        if (settings.network() != null) {
            cmd.addAll(List.of("--network", settings.network()));
        }
        if (settings.trackingUri() != null) {
            cmd.addAll(List.of("-e", "MLFLOW_TRACKING_URI=" + settings.trackingUri()));
        }
        for (String env : List.of("MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD", "MLFLOW_TRACKING_TOKEN")) {
            if (System.getenv(env) != null) {
                cmd.addAll(List.of("-e", env)); // passed by name: the value never appears on a command line
            }
        }
        cmd.addAll(List.of(settings.image(), "task", "--spec", SPEC_DIR + "/" + spec.getFileName(),
                "--profile", settings.profile(), "--task", task.id(), "--workdir", WORK));
        settings.overrides().forEach((k, v) -> cmd.addAll(List.of("--set", k + "=" + v)));
        if (settings.trackingUri() == null) {
            cmd.add("--no-tracking");
        } else if (parentRunId != null) {
            cmd.addAll(List.of("--parent-run-id", parentRunId));
        }
        return cmd;
    }

    @Override
    public String name() {
        return "docker " + settings.image();
    }

    private static String uid() {
        return idOf("-u");
    }

    private static String gid() {
        return idOf("-g");
    }

    /** The host user's ids, so files the container writes in the work folder belong to the user. */
    private static String idOf(String flag) {
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
