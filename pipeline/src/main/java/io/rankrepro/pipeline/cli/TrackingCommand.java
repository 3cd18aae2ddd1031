package io.rankrepro.pipeline.cli;

import io.rankrepro.mlflow.MetricSpool;
import io.rankrepro.mlflow.MlflowTracking;
import io.rankrepro.pipeline.exec.OutputStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code rankrepro tracking replay}: sends metric points spooled while the tracking server was unreachable. */
@Command(name = "tracking", mixinStandardHelpOptions = true,
        description = "Tracking maintenance.", subcommands = TrackingCommand.Replay.class)
final class TrackingCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new UsageError("tracking: give a subcommand, e.g. `rankrepro tracking replay`");
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = {"Send the metric points that runs spooled to local disk while the MLflow server was unreachable,",
                    "in order, each (key, step) once, skipping points the server already holds; spool files are removed once sent."},
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:every spooled point was sent (or none was spooled)", "1:the server is unreachable or some points are left",
                    "2:bad arguments"})
    static final class Replay implements Callable<Integer> {
        @Option(names = "--workdir", defaultValue = "work", paramLabel = "DIR",
                description = "The work folder whose spool/ to replay (default: ${DEFAULT-VALUE})")
        Path workdir;

        @Option(names = "--spool-dir", paramLabel = "DIR",
                description = "A spool folder to replay instead (e.g. ~/.rankrepro/spool, or the one an error message named)")
        Path spoolDir;

        @Option(names = "--tracking-uri", paramLabel = "URI",
                description = "MLflow tracking server (default: $MLFLOW_TRACKING_URI, else http://127.0.0.1:5000)")
        String trackingUri;

        @Override
        public Integer call() {
            Path dir = spoolDir != null ? spoolDir : OutputStore.spoolDir(workdir);
            if (MetricSpool.runIds(dir).isEmpty()) {
                System.out.println("nothing to replay: no spooled metrics under " + dir.toAbsolutePath());
                return 0;
            }
            try (MlflowTracking mlflow = MlflowTracking.connect(MlflowTracking.resolveUri(trackingUri))) {
                Map<String, Integer> left = mlflow.replaySpool(dir);
                left.forEach((run, n) -> System.out.println((n == 0 ? "✔ run " + run + ": spooled metrics sent"
                        : "✘ run " + run + ": " + n + " points still spooled in " + new MetricSpool(dir, run).file())));
                return left.values().stream().allMatch(n -> n == 0) ? 0 : 1;
            }
        }
    }
}
