package io.rankrepro.pipeline.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rankrepro.pipeline.exec.Hashing;
import io.rankrepro.pipeline.exec.OutputStore;
import io.rankrepro.pipeline.exec.TaskDescriptor;
import io.rankrepro.pipeline.exec.ConsoleProgress;
import io.rankrepro.pipeline.track.Tracking;
import io.rankrepro.tasks.task.Params;
import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskContext;
import io.rankrepro.tasks.task.TaskInput;
import io.rankrepro.mlflow.RunTracker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The figure stage; with {@code --from-run}, rebuilds a figure from tracked artifacts alone: the
 * run's {@code task.json} names every declared input with the run that computed it and the hash of
 * each file read; those files are fetched, verified, and the figure is rebuilt and compared with
 * the run's own outputs byte for byte.
 */
@Command(mixinStandardHelpOptions = true,
        description = {"Run the figure task of a spec, or rebuild a figure from a finished MLflow run:",
                "  rankrepro figure --from-run RUN_ID [--out DIR]",
                "RUN_ID may be the figure task's run or the DAG run (parent) that made it."})
final class FigureCommand extends StageCommand {
    /** Tag on a DAG run naming the run of its final (figure) task. */
    static final String SINK_RUN_TAG = io.rankrepro.pipeline.report.DagRunResults.SINK_RUN_TAG;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--from-run", paramLabel = "RUN_ID", description = "Rebuild from this run's artifacts instead of the work folder")
    String fromRun;

    @Option(names = "--out", paramLabel = "DIR", description = "With --from-run: where to write (default: results/from-run/RUN_ID)")
    Path out;

    FigureCommand() {
        super("figure");
    }

    @Override
    public Integer call() throws Exception {
        if (fromRun == null) {
            if (out != null) {
                throw new UsageError("--out goes with --from-run");
            }
            return super.call();
        }
        if (trackingOptions.noTracking) {
            throw new UsageError("--from-run reads from MLflow; it cannot be used with --no-tracking");
        }
        if (!fromRun.matches("[0-9a-fA-F]{8,64}")) {
            throw new UsageError("--from-run '" + fromRun + "' is not an MLflow run id");
        }
        Path target = out != null ? out : Path.of("results", "from-run", fromRun);
        try (Tracking tracking = Commands.tracking(trackingOptions)) {
            String runId = fromRun;
            String sink = tracking.tags(runId).get(SINK_RUN_TAG);
            if (sink != null) {
                System.out.println("run " + runId + " is a DAG run; its figure run is " + sink);
                runId = sink;
            }
            Path tmp = Files.createTempDirectory("rankrepro-replay");
            try {
                TaskDescriptor d = JSON.readValue(tracking.read(runId, TaskDescriptor.FILE_NAME), TaskDescriptor.class);
                List<TaskInput> inputs = new ArrayList<>();
                int fetched = 0;
                for (TaskDescriptor.Input in : d.inputs()) {
                    if (in.runId() == null) {
                        throw new IllegalStateException("input " + in.taskId() + " of " + d.taskId() + " was computed without tracking"
                                + " (no run holds it); rerun it with tracking to make this figure rebuildable");
                    }
                    Path dir = Files.createDirectories(tmp.resolve("inputs").resolve(Integer.toString(inputs.size())));
                    for (Map.Entry<String, String> f : in.files().entrySet()) {
                        byte[] bytes = tracking.read(in.runId(), "outputs/" + f.getKey());
                        String sha = Hashing.sha256(bytes);
                        if (!sha.equals(f.getValue())) {
                            throw new IllegalStateException("outputs/" + f.getKey() + " of run " + in.runId() + " (" + in.taskId()
                                    + ") has SHA-256 " + sha + ", not the " + f.getValue() + " that " + d.taskId() + " read");
                        }
                        Path file = dir.resolve(f.getKey());
                        Files.createDirectories(file.getParent());
                        Files.write(file, bytes);
                        fetched++;
                    }
                    inputs.add(new TaskInput(in.taskId(), in.stage(), in.sweepPoint(), dir));
                }
                System.out.printf("fetched %d input files of %d upstream tasks, every hash verified%n", fetched, inputs.size());
                Task task = Commands.kinds().find(d.kind())
                        .orElseThrow(() -> new IllegalStateException("this rankrepro has no task kind '" + d.kind() + "'"));
                Path staged = Files.createDirectory(tmp.resolve("out"));
                TaskContext ctx = new TaskContext(d.taskId(), d.stage(), d.spec(), new Params(d.params()), d.sweepPoint(),
                        inputs, staged, RunTracker.none(), ConsoleProgress.forTask(d.taskId()));
                task.run(ctx);
                Map<String, String> rebuilt = OutputStore.hashFiles(staged);
                Files.createDirectories(target);
                try (var files = Files.walk(staged)) {
                    for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                        Path dest = target.resolve(staged.relativize(f).toString());
                        Files.createDirectories(dest.getParent());
                        Files.copy(f, dest, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
                List<String> differ = new ArrayList<>();
                java.util.SortedSet<String> names = new java.util.TreeSet<>(d.outputs().keySet());
                names.addAll(rebuilt.keySet());
                names.forEach(f -> {
                    if (!java.util.Objects.equals(d.outputs().get(f), rebuilt.get(f))) {
                        differ.add(f + (d.outputs().containsKey(f) ? rebuilt.containsKey(f) ? " (differs)" : " (not rebuilt)" : " (new)"));
                    }
                });
                System.out.printf("rebuilt %s (%s, profile %s) from run %s → %s%n", d.taskId(), d.kind(), d.spec().profile(), runId, target.toAbsolutePath());
                if (!differ.isEmpty()) {
                    System.out.println("NOT identical to the run's outputs: " + String.join(", ", differ));
                    return 1;
                }
                System.out.printf("all %d files byte-identical to the run's outputs%n", rebuilt.size());
                return 0;
            } finally {
                OutputStore.deleteTree(tmp);
            }
        }
    }
}
