package io.rankrepro.pipeline.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
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

/**
 * The figure stage; with {@code --from-run}, rebuilds a figure from a tracked run's artifacts alone
 * (its {@code task.json} and the analysis tables logged under {@code inputs/}).
 */
@Command(mixinStandardHelpOptions = true,
        description = {"Run the figure task of a spec, or rebuild a figure from a finished MLflow run:",
                "  rankrepro figure --from-run RUN_ID [--out DIR]",
                "RUN_ID may be the figure task's run or the DAG run (parent) that made it."})
final class FigureCommand extends StageCommand {
    /** Tag on a DAG run naming the run of its final (figure) task. */
    static final String SINK_RUN_TAG = "rankrepro.figure_run";
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
                // Downloads land in empty folders only (they are moved into place whole).
                tracking.download(runId, TaskDescriptor.FILE_NAME, tmp.resolve("descriptor"));
                TaskDescriptor d = JSON.readValue(tmp.resolve("descriptor").resolve(TaskDescriptor.FILE_NAME).toFile(), TaskDescriptor.class);
                tracking.download(runId, "inputs", tmp.resolve("artifacts"));
                List<TaskInput> inputs = new ArrayList<>();
                for (TaskDescriptor.Upstream u : d.upstream()) {
                    Path dir = tmp.resolve("artifacts").resolve(u.key());
                    if (!Files.isDirectory(dir)) {
                        throw new IllegalStateException("run " + runId + " has no artifacts for input " + u.taskId()
                                + " (inputs/" + u.key() + "); only gather tasks log their inputs");
                    }
                    inputs.add(new TaskInput(u.taskId(), u.stage(), u.sweepPoint(), dir));
                }
                Task task = Commands.kinds().find(d.kind())
                        .orElseThrow(() -> new IllegalStateException("this rankrepro has no task kind '" + d.kind() + "'"));
                Path staged = Files.createDirectory(tmp.resolve("out"));
                TaskContext ctx = new TaskContext(d.taskId(), d.stage(), d.spec(), new Params(d.params()), d.sweepPoint(),
                        inputs, staged, RunTracker.none(), ConsoleProgress.forTask(d.taskId()));
                task.run(ctx);
                Files.createDirectories(target);
                try (var files = Files.walk(staged)) {
                    for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                        Path dest = target.resolve(staged.relativize(f).toString());
                        Files.createDirectories(dest.getParent());
                        Files.copy(f, dest, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
                System.out.printf("rebuilt %s (%s, profile %s) from run %s → %s%n", d.taskId(), d.kind(), d.spec().profile(), runId, target.toAbsolutePath());
                return 0;
            } finally {
                OutputStore.deleteTree(tmp);
            }
        }
    }
}
