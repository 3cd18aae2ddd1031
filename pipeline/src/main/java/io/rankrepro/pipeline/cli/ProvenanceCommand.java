package io.rankrepro.pipeline.cli;

import io.rankrepro.mlflow.MlflowTracking;
import io.rankrepro.pipeline.exec.OutputStore;
import io.rankrepro.pipeline.provenance.ProvenanceManifest;
import io.rankrepro.pipeline.provenance.ProvenanceManifests;
import io.rankrepro.pipeline.provenance.ProvenanceTree;
import io.rankrepro.pipeline.provenance.ProvenanceVerifier;
import io.rankrepro.pipeline.provenance.ProvenanceVerifier.Finding;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

@Command(name = "provenance", mixinStandardHelpOptions = true,
        description = {"Print where a figure came from: figure → analysis tables → checkpoints → training run → data,",
                "each with its sha256 and MLflow run, from the provenance.json `rankrepro run` writes next to the figure.",
                "  rankrepro provenance results/kobayashi2024/fig1/smoke/fig1.png",
                "  rankrepro provenance kobayashi2024/fig1 --profile smoke --verify"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:printed (and, with --verify, every hash matched)", "1:a hash did not match or a file is missing",
                "2:no such figure or experiment"})
final class ProvenanceCommand implements Callable<Integer> {
    @Mixin WorkOptions work;
    @Mixin TrackingOptions trackingOptions;

    @Parameters(index = "0", paramLabel = "FIGURE_FILE_OR_EXPERIMENT",
            description = "A figure file or folder under results/, its provenance.json, or an experiment id (e.g. kobayashi2024/fig1)")
    String target;

    @Option(names = "--profile", paramLabel = "PROFILE", description = "With an experiment id: which profile (default: the only one in results)")
    String profile;

    @Option(names = "--results", defaultValue = "results", paramLabel = "DIR", description = "The results folder (default: ${DEFAULT-VALUE})")
    Path results;

    @Option(names = "--verify", description = "Re-hash the files on disk (results and work folder) and, unless --no-tracking,"
            + " the artifacts of each task's MLflow run")
    boolean verify;

    @Option(names = "--json", description = "Print the manifest itself")
    boolean json;

    @Option(names = "--all-files", description = "List every file of every task (default: the first 6)")
    boolean allFiles;

    @Override
    public Integer call() throws Exception {
        Path manifestFile = locate();
        ProvenanceManifest m = ProvenanceManifests.read(manifestFile);
        if (json) {
            System.out.print(Files.readString(manifestFile));
        } else {
            System.out.println("provenance: " + manifestFile);
            System.out.print(ProvenanceTree.render(m, allFiles ? Integer.MAX_VALUE : 6));
        }
        if (!verify) {
            return 0;
        }
        List<Finding> findings = new ArrayList<>(ProvenanceVerifier.onDisk(m, manifestFile.getParent(), new OutputStore(work.workdir)));
        if (!trackingOptions.noTracking && m.parentRunId() != null) {
            String uri = trackingOptions.trackingUri != null ? trackingOptions.trackingUri : m.trackingUri();
            Path scratch = Files.createTempDirectory("rankrepro-provenance");
            try (MlflowTracking mlflow = MlflowTracking.connect(MlflowTracking.resolveUri(uri))) {
                findings.addAll(ProvenanceVerifier.inMlflow(m, mlflow, scratch));
            } finally {
                OutputStore.deleteTree(scratch);
            }
        } else {
            findings.add(new Finding(Finding.Status.SKIPPED, "mlflow", null, null,
                    m.parentRunId() == null ? "the run was not tracked" : "--no-tracking"));
        }
        System.out.println("\nverify:");
        for (Finding f : findings) {
            if (f.status() != Finding.Status.OK) {
                System.out.printf("  %-8s %s%s%s: %s%n", f.status(), f.where(), f.taskId() == null ? "" : " " + f.taskId(),
                        f.file() == null ? "" : " " + f.file(), f.detail());
            }
        }
        long ok = findings.stream().filter(f -> f.status() == Finding.Status.OK).count();
        long failed = findings.stream().filter(Finding::failed).count();
        Stream.of("results", "work", "mlflow").forEach(where -> {
            long n = findings.stream().filter(f -> f.status() == Finding.Status.OK && f.where().startsWith(where)).count();
            System.out.printf("  %s: %d files match%n", where, n);
        });
        System.out.printf("%s: %d files match, %d do not%n", failed == 0 ? "verified" : "VERIFICATION FAILED", ok, failed);
        return failed == 0 ? 0 : 1;
    }

    /** A provenance.json, a figure file or folder next to one, or an experiment id under --results. */
    private Path locate() throws java.io.IOException {
        Path p = Path.of(target);
        if (Files.isRegularFile(p)) {
            Path m = p.getFileName().toString().equals(ProvenanceManifest.FILE_NAME) ? p : p.resolveSibling(ProvenanceManifest.FILE_NAME);
            return require(m, "no " + ProvenanceManifest.FILE_NAME + " next to " + p);
        }
        if (Files.isDirectory(p) && Files.isRegularFile(p.resolve(ProvenanceManifest.FILE_NAME))) {
            return p.resolve(ProvenanceManifest.FILE_NAME);
        }
        Path experiment = results.resolve(target);
        if (!Files.isDirectory(experiment)) {
            throw new UsageError("'" + target + "' is neither a figure file nor an experiment with results under " + results
                    + "; run it first: rankrepro run --spec pipeline/experiments/" + target + ".yaml");
        }
        if (profile != null) {
            return require(experiment.resolve(profile).resolve(ProvenanceManifest.FILE_NAME),
                    "no results of " + target + " at profile " + profile + " under " + results);
        }
        List<Path> found;
        try (Stream<Path> dirs = Files.list(experiment)) {
            found = dirs.map(d -> d.resolve(ProvenanceManifest.FILE_NAME)).filter(Files::isRegularFile).sorted().toList();
        }
        if (found.size() != 1) {
            throw new UsageError(target + " has results at " + found.size() + " profiles under " + experiment
                    + (found.isEmpty() ? " (a successful `rankrepro run` writes provenance.json)" : "; choose one with --profile: "
                    + found.stream().map(f -> f.getParent().getFileName().toString()).toList()));
        }
        return found.get(0);
    }

    private static Path require(Path p, String message) {
        if (!Files.isRegularFile(p)) {
            throw new UsageError(message + " (a successful `rankrepro run` writes " + ProvenanceManifest.FILE_NAME + " next to its figures)");
        }
        return p;
    }
}
