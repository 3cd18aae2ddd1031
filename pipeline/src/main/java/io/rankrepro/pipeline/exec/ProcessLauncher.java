package io.rankrepro.pipeline.exec;

import io.rankrepro.pipeline.plan.Plan;
import io.rankrepro.pipeline.plan.PlannedTask;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs each task in a fresh JVM with the same class path: the embedded default. A process per
 * task because PyTorch (through DJL) keeps process-wide state — one gradient collector at a time,
 * one intra-op thread setting — so training tasks cannot share a JVM in parallel; and a crashed
 * or killed task takes only itself down.
 */
public final class ProcessLauncher implements TaskLauncher {
    /** @param trackingUri null for no tracking */
    public record Settings(Path spec, String profile, Map<String, Object> overrides, Path workdir,
                           String trackingUri, String mainClass, int workers, PrintStream out) {
        public Settings {
            overrides = Map.copyOf(overrides);
        }
    }

    private final Settings settings;

    public ProcessLauncher(Settings settings) {
        this.settings = settings;
    }

    @Override
    public void launch(Plan plan, PlannedTask task, TaskKeys keys, String parentRunId) throws TaskFailure {
        ChildProcess.run(command(task, parentRunId), environment(), task.id(), settings.out(), "");
    }

    List<String> command(PlannedTask task, String parentRunId) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // Serial GC: a task is one busy thread plus PyTorch's; a parallel collector would only compete for the cores.
        List<String> cmd = new ArrayList<>(List.of(java, "-Dai.djl.offline=true", "-Djava.awt.headless=true",
                "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), settings.mainClass()));
        cmd.addAll(new TaskInvocation(settings.spec().toString(), settings.profile(), settings.overrides(), task.id(),
                settings.workdir().toString(), settings.trackingUri(), parentRunId).args());
        return cmd;
    }

    /**
     * PyTorch's intra-op threads: the cores shared among the workers (unless the user set it). Two
     * tasks each with a thread per core thrash: a small GPT step took 2 s that way, 30 ms with one.
     */
    Map<String, String> environment() {
        if (System.getenv("OMP_NUM_THREADS") != null) {
            return Map.of();
        }
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / settings.workers());
        return Map.of("OMP_NUM_THREADS", Integer.toString(threads));
    }

    @Override
    public String name() {
        return "process";
    }
}
