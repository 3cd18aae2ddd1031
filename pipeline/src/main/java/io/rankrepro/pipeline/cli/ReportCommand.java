package io.rankrepro.pipeline.cli;

import io.rankrepro.mlflow.MlflowTracking;
import io.rankrepro.mlflow.TrackingException;
import io.rankrepro.pipeline.claims.ClaimRegister;
import io.rankrepro.pipeline.report.ReportEntry;
import io.rankrepro.pipeline.report.ReportPage;
import io.rankrepro.pipeline.report.ReportPublisher;
import io.rankrepro.pipeline.report.ReportSources;
import io.rankrepro.pipeline.report.RunSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Write the reproduction report: one self-contained HTML page (works offline) with every figure,",
                "each paper claim checked against the measured numbers, profiles, wall times, MLflow links and hashes.",
                "Built from the run.json files `rankrepro run` leaves under --results, or from DAG runs in MLflow",
                "(--from-run). The page is then logged to a run of the MLflow experiment '" + ReportPublisher.EXPERIMENT + "'",
                "and each DAG run it covers is tagged " + ReportPublisher.REPORT_RUN_TAG + " (skip with --no-tracking)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:report written (and logged)", "1:nothing to report, or MLflow failed (the page is still written)",
                "2:bad arguments"})
final class ReportCommand implements Callable<Integer> {
    @Mixin TrackingOptions trackingOptions;

    @Option(names = "--results", defaultValue = "results", paramLabel = "DIR",
            description = "The results folder `rankrepro run` fills (default: ${DEFAULT-VALUE})")
    Path results;

    @Option(names = "--out", paramLabel = "FILE", description = "The page to write (default: <results>/report/index.html)")
    Path out;

    @Option(names = "--from-run", paramLabel = "RUN_ID",
            description = "Build from this DAG run (parent run) in MLflow instead of --results (repeatable)")
    List<String> fromRuns = List.of();

    @Option(names = "--claims", paramLabel = "DIR",
            description = "The papers' claims registers, shown beside each measured claim (default: ${DEFAULT-VALUE})")
    Path claimsDir = ClaimRegister.DEFAULT_DIR;

    @Option(names = "--link-uri", paramLabel = "URI",
            description = "MLflow address for the run links (default: the server each run logged to)")
    String linkUri;

    @Override
    public Integer call() throws Exception {
        if (!fromRuns.isEmpty() && trackingOptions.noTracking) {
            throw new UsageError("--from-run reads from MLflow; it cannot be used with --no-tracking");
        }
        Path page = out != null ? out : results.resolve("report").resolve("index.html");
        MlflowTracking mlflow = trackingOptions.noTracking ? null : connect(page);
        try {
            List<ReportEntry> entries = fromRuns.isEmpty()
                    ? ReportSources.fromResults(results, page.toAbsolutePath().getParent())
                    : ReportSources.fromMlflow(mlflow, fromRuns);
            if (entries.isEmpty()) {
                System.err.println("rankrepro report: no run.json under " + results.toAbsolutePath()
                        + ": nothing to report yet.\n  `rankrepro run --spec ...` (or `make reproduce-all`) writes results/<experiment>/<profile>/run.json.");
                return 1;
            }
            List<ClaimRegister> registers = registers();
            Files.createDirectories(page.toAbsolutePath().getParent());
            Path tmp = page.resolveSibling(page.getFileName() + ".tmp");
            Files.writeString(tmp, ReportPage.render(entries, registers, linkUri, Instant.now()), StandardCharsets.UTF_8);
            Files.move(tmp, page, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            List<RunSummary> summaries = entries.stream().map(ReportEntry::summary).toList();
            long claims = summaries.stream().mapToLong(s -> s.claims().size()).sum();
            long passed = summaries.stream().mapToLong(RunSummary::claimsPassed).sum();
            System.out.printf("report: %d figures, %d of %d claims reproduced → %s%n", entries.size(), passed, claims,
                    page.toAbsolutePath().toUri());
            if (mlflow != null) {
                try {
                    String runId = ReportPublisher.publish(mlflow, page, summaries);
                    System.out.println("  logged to MLflow: " + mlflow.runUrl(runId));
                } catch (TrackingException e) {
                    System.err.println("rankrepro report: the page is written, but logging it to MLflow failed: " + e.getMessage()
                            + "\n  rerun when the server is up, or pass --no-tracking to only write the page.");
                    return 1;
                }
            }
            return 0;
        } finally {
            if (mlflow != null) {
                mlflow.close();
            }
        }
    }

    private MlflowTracking connect(Path page) {
        try {
            return MlflowTracking.connect(MlflowTracking.resolveUri(trackingOptions.trackingUri));
        } catch (TrackingException e) {
            throw new TrackingException(e.getMessage() + "; or pass --no-tracking to write " + page + " without logging it", e);
        }
    }

    /** The registers, or none (with a note) when the folder is absent, e.g. a report built outside the repository. */
    private List<ClaimRegister> registers() throws java.io.IOException {
        if (!Files.isDirectory(claimsDir)) {
            System.err.println("rankrepro report: no claims registers at " + claimsDir.toAbsolutePath()
                    + ": claims are shown without the paper's words (give --claims DIR)");
            return List.of();
        }
        try {
            return ClaimRegister.loadAll(claimsDir);
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
    }
}
