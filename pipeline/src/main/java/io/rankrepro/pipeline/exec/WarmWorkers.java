package io.rankrepro.pipeline.exec;

import io.rankrepro.pipeline.plan.Plan;
import io.rankrepro.pipeline.plan.PlannedTask;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingDeque;

/**
 * Runs tasks on up to {@code workers} warm worker JVMs ({@code rankrepro worker}), each running one
 * task at a time and then the next: the embedded default with more than one worker. A JVM per slot,
 * not per task, since starting one and loading PyTorch's native library cost ~2 s a task; not one
 * JVM for all, since PyTorch keeps per-process state (one gradient collector at a time, one
 * intra-op thread setting). A worker that dies mid-task fails only that attempt: it is replaced and
 * the task runs once more on a fresh worker (what it had written stays in its staging folder, which
 * nothing accepts). A worker whose resident memory ends a task above {@code maxRssBytes} is
 * retired, so a leak costs a JVM start, not the machine.
 */
public final class WarmWorkers implements TaskLauncher, AutoCloseable {
    /** Attempts per task when its worker dies: the first, and one on a fresh worker. */
    static final int ATTEMPTS = 2;

    /**
     * @param trackingUri null for no tracking
     * @param maxRssBytes a worker above this after a task is replaced
     */
    public record Settings(String profile, Map<String, Object> overrides, Path workdir,
                           String trackingUri, String mainClass, int workers, long maxRssBytes, PrintStream out) {
        public Settings {
            overrides = Map.copyOf(overrides);
        }
    }

    private final Settings settings;
    /** Idle workers, the most recently used first (its caches are warmest). */
    private final LinkedBlockingDeque<WorkerProcess> idle = new LinkedBlockingDeque<>();
    private final Set<WorkerProcess> all = ConcurrentHashMap.newKeySet();

    public WarmWorkers(Settings settings) {
        this.settings = settings;
    }

    /** The default memory ceiling of a worker: half this machine's memory shared among the workers, at least 2 GiB. */
    public static long defaultMaxRssBytes(int workers) {
        long total = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
        return Math.max(2L << 30, total / 2 / Math.max(1, workers));
    }

    @Override
    public boolean launch(Plan plan, PlannedTask task, TaskKeys keys, String parentRunId, boolean force) throws TaskFailure {
        WorkerProtocol.Request request = new WorkerProtocol.Request(new TaskInvocation(plan.spec().source(),
                settings.profile(), settings.overrides(), task.id(), settings.workdir().toString(), settings.trackingUri(),
                parentRunId), force);
        String died = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            WorkerProcess w = take(task);
            WorkerProtocol.Reply reply;
            try {
                reply = w.run(request, settings.out());
            } catch (WorkerProcess.Died e) {
                all.remove(w);
                died = e.getMessage();
                if (ChildProcess.stopping()) {
                    break;
                }
                if (attempt < ATTEMPTS) {
                    settings.out().printf("  %s: %s; running it again on a fresh worker%n", task.id(), died);
                }
                continue;
            }
            giveBack(w, reply);
            if (!reply.ok()) {
                throw new TaskFailure(reply.message());
            }
            return reply.reused();
        }
        throw new TaskFailure(died + (ChildProcess.stopping() ? "" : " (on " + ATTEMPTS + " workers in turn)"));
    }

    private WorkerProcess take(PlannedTask task) throws TaskFailure {
        WorkerProcess w = idle.pollFirst();
        if (w != null) {
            return w;
        }
        try {
            w = WorkerProcess.start(command(), environment());
        } catch (IOException e) {
            throw new TaskFailure("cannot start a worker JVM for " + task.id() + ": " + e.getMessage(), e);
        }
        all.add(w);
        return w;
    }

    private void giveBack(WorkerProcess w, WorkerProtocol.Reply reply) {
        if (reply.rssBytes() > settings.maxRssBytes()) {
            settings.out().printf("  worker %d holds %d MiB after %d tasks (ceiling %d MiB): replacing it%n",
                    w.pid(), reply.rssBytes() >> 20, w.tasks(), settings.maxRssBytes() >> 20);
            all.remove(w);
            w.retire();
            return;
        }
        idle.addFirst(w);
    }

    List<String> command() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // Serial GC: a task is one busy thread plus PyTorch's; a parallel collector would only compete for the cores.
        List<String> cmd = new ArrayList<>(List.of(java, "-Dai.djl.offline=true", "-Djava.awt.headless=true",
                "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), settings.mainClass(), "worker"));
        return cmd;
    }

    /**
     * The run's device setting, the shared store off (see above), and PyTorch's intra-op threads: the cores shared among the workers (unless the user set it). Two
     * tasks each with a thread per core thrash: a small GPT step took 2 s that way, 30 ms with one.
     */
    Map<String, String> environment() {
        Map<String, String> env = new java.util.HashMap<>();
        env.put(io.rankrepro.tasks.task.ComputeDevice.ENV, io.rankrepro.tasks.task.ComputeDevice.setting()); // --device
        // the executor has looked in the shared store before it sends a task: a worker computes what it is sent
        env.put("RANKREPRO_SHARED_STORE", "none");
        if (System.getenv("OMP_NUM_THREADS") == null) {
            int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / settings.workers());
            env.put("OMP_NUM_THREADS", Integer.toString(threads));
        }
        return env;
    }

    @Override
    public String name() {
        return "worker";
    }

    /** Ends every idle worker (their input closes, they leave their loop). */
    @Override
    public void close() {
        for (WorkerProcess w; (w = idle.pollFirst()) != null; ) {
            all.remove(w);
            w.retire();
        }
    }
}
