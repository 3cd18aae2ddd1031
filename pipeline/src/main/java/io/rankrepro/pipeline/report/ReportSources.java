package io.rankrepro.pipeline.report;

import io.rankrepro.mlflow.MlflowTracking;
import io.rankrepro.pipeline.exec.Hashing;
import io.rankrepro.pipeline.provenance.ProvenanceManifest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Where report entries come from: the results folder that {@code rankrepro run} fills, or MLflow runs. */
public final class ReportSources {
    /** Artifact path of {@code run.json} on a DAG run's parent MLflow run. */
    public static final String RUN_SUMMARY_ARTIFACT = "rankrepro/" + RunSummary.FILE_NAME;

    private ReportSources() { }

    /**
     * Every {@code run.json} under {@code results} (except inside {@code reportDir}), with the
     * images next to it; an image whose bytes no longer match its recorded sha256 is left out
     * (and so shows as missing) rather than shown as if it were the recorded one.
     */
    public static List<ReportEntry> fromResults(Path results, Path reportDir) throws IOException {
        List<ReportEntry> out = new ArrayList<>();
        Path reportAbs = reportDir.toAbsolutePath().normalize();
        for (Path file : RunSummaries.find(results)) {
            Path dir = file.getParent().toAbsolutePath().normalize();
            if (dir.startsWith(reportAbs)) {
                continue;
            }
            RunSummary s = RunSummaries.read(file);
            Map<String, byte[]> images = new LinkedHashMap<>();
            for (RunSummary.ResultFile img : s.images()) {
                Path p = dir.resolve(img.path());
                if (Files.isRegularFile(p)) {
                    byte[] bytes = Files.readAllBytes(p);
                    if (Hashing.sha256(bytes).equals(img.sha256())) {
                        images.put(img.path(), bytes);
                    }
                }
            }
            Path provenance = dir.resolve(ProvenanceManifest.FILE_NAME);
            String href = Files.isRegularFile(provenance)
                    ? reportAbs.relativize(provenance).toString().replace('\\', '/') : null;
            out.add(new ReportEntry(s, images, href));
        }
        return out;
    }

    /** The DAG runs {@code parentRunIds}: their {@code run.json} and the figure runs' images, hash-checked. */
    public static List<ReportEntry> fromMlflow(MlflowTracking mlflow, List<String> parentRunIds) throws IOException {
        List<ReportEntry> out = new ArrayList<>();
        for (String id : parentRunIds) {
            RunSummary s = RunSummaries.read(mlflow.readArtifact(id, RUN_SUMMARY_ARTIFACT));
            Map<String, byte[]> images = new LinkedHashMap<>();
            for (RunSummary.ResultFile img : s.images()) {
                if (img.runId() == null) {
                    continue;
                }
                byte[] bytes = mlflow.readArtifact(img.runId(), "outputs/" + img.path());
                if (!Hashing.sha256(bytes).equals(img.sha256())) {
                    throw new IOException("outputs/" + img.path() + " of run " + img.runId() + " does not match the sha256 in "
                            + RUN_SUMMARY_ARTIFACT + " of run " + id);
                }
                images.put(img.path(), bytes);
            }
            out.add(new ReportEntry(s, images, null));
        }
        return out;
    }
}
