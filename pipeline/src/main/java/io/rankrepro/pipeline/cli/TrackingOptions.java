package io.rankrepro.pipeline.cli;

import picocli.CommandLine.Option;

/** Where runs are tracked. */
public final class TrackingOptions {

    @Option(names = "--tracking-uri", paramLabel = "URI",
            description = "MLflow tracking server (default: $MLFLOW_TRACKING_URI, else http://127.0.0.1:5000)")
    String trackingUri;

    @Option(names = "--no-tracking", description = "Run without MLflow: nothing is logged (outputs are still cached)")
    boolean noTracking;
}
