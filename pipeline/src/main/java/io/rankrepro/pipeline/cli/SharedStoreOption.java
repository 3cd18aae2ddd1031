package io.rankrepro.pipeline.cli;

import io.rankrepro.pipeline.exec.OutputStore;
import io.rankrepro.pipeline.exec.SharedStore;
import io.rankrepro.pipeline.track.MlflowOutputs;
import io.rankrepro.pipeline.track.Tracking;
import picocli.CommandLine.Option;

import java.util.Map;

/**
 * {@code --shared-store}: where a task with no verified output in the work folder is looked for
 * before it is computed; without it, $RANKREPRO_SHARED_STORE, else none.
 */
public final class SharedStoreOption {
    public static final String ENV = "RANKREPRO_SHARED_STORE";

    @Option(names = "--shared-store", paramLabel = "mlflow|none",
            description = "mlflow: a task whose output is not verified in --workdir is fetched from the MLflow run that"
                    + " computed its key (its outputs/ artifacts, every sha256 checked against the run's manifest) and"
                    + " computed only when no such copy verifies; needs tracking. none: the work folder alone"
                    + " (default: $" + ENV + ", else none)")
    String sharedStore;

    /** Whether the shared store is on; a bad value, or mlflow without tracking, is a usage error (nothing has run). */
    boolean on(TrackingOptions tracking) {
        return on(tracking, System.getenv());
    }

    boolean on(TrackingOptions tracking, Map<String, String> env) {
        String from = sharedStore != null ? "--shared-store" : "$" + ENV;
        String value = sharedStore != null ? sharedStore : env.getOrDefault(ENV, "");
        value = value.isBlank() ? "none" : value.strip();
        boolean on = switch (value) {
            case "mlflow" -> true;
            case "none" -> false;
            default -> throw new UsageError(from + " must be mlflow or none, got '" + value + "'");
        };
        if (on && tracking.noTracking) {
            throw new UsageError(from + " mlflow fetches from the tracking server: it cannot be used with --no-tracking");
        }
        return on;
    }

    /** The work folder's store, backed by MLflow's artifacts when the shared store is on. */
    SharedStore open(TrackingOptions options, OutputStore store, Tracking tracking) {
        return on(options) ? new SharedStore(store, new MlflowOutputs(tracking)) : SharedStore.off(store);
    }
}
