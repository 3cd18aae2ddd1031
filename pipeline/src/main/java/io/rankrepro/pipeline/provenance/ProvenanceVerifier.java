package io.rankrepro.pipeline.provenance;

import io.rankrepro.mlflow.MlflowTracking;
import io.rankrepro.pipeline.exec.Hashing;
import io.rankrepro.pipeline.exec.OutputStore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks a provenance manifest against the bytes: the figure files next to it, each task's files in
 * the work folder, and each task's {@code outputs/} artifacts on the MLflow run that made them.
 */
public final class ProvenanceVerifier {

    /** What one check found. SKIPPED (nothing to check there) does not fail a verification. */
    public record Finding(Status status, String where, String taskId, String file, String detail) {
        public enum Status { OK, MISMATCH, MISSING, SKIPPED }

        public boolean failed() {
            return status == Status.MISMATCH || status == Status.MISSING;
        }
    }

    private ProvenanceVerifier() { }

    /** Re-hashes the figure files in {@code manifestDir} and every task's files in {@code store}. */
    public static List<Finding> onDisk(ProvenanceManifest m, Path manifestDir, OutputStore store) throws IOException {
        List<Finding> out = new ArrayList<>();
        for (Map.Entry<String, String> f : m.results().entrySet()) {
            out.add(compare("results", null, f.getKey(), f.getValue(), manifestDir.resolve(f.getKey())));
        }
        for (ProvenanceManifest.Step s : m.steps()) {
            Path dir = store.dir(s.key());
            if (!Files.isDirectory(dir)) {
                out.add(new Finding(Finding.Status.SKIPPED, "work", s.taskId(), null, "no outputs in " + dir + " (work folder cleaned?)"));
                continue;
            }
            for (Map.Entry<String, String> f : s.files().entrySet()) {
                out.add(compare("work", s.taskId(), f.getKey(), f.getValue(), dir.resolve(f.getKey())));
            }
        }
        return out;
    }

    /** Downloads each tracked task's {@code outputs/} into {@code scratch} and compares file by file, both ways. */
    public static List<Finding> inMlflow(ProvenanceManifest m, MlflowTracking mlflow, Path scratch) throws IOException {
        List<Finding> out = new ArrayList<>();
        for (ProvenanceManifest.Step s : m.steps()) {
            if (s.runId() == null) {
                out.add(new Finding(Finding.Status.SKIPPED, "mlflow", s.taskId(), null, "ran without tracking"));
                continue;
            }
            // The run's outputs/ folder lands directly in this (fresh) folder.
            Path outputs = scratch.resolve(s.key());
            mlflow.downloadArtifacts(s.runId(), "outputs", outputs);
            Set<String> seen = new TreeSet<>();
            for (Map.Entry<String, String> f : s.files().entrySet()) {
                seen.add(f.getKey());
                out.add(compare("mlflow run " + s.runId(), s.taskId(), f.getKey(), f.getValue(), outputs.resolve(f.getKey())));
            }
            if (Files.isDirectory(outputs)) {
                for (String extra : OutputStore.hashFiles(outputs).keySet()) {
                    if (!seen.contains(extra)) {
                        out.add(new Finding(Finding.Status.MISMATCH, "mlflow run " + s.runId(), s.taskId(), extra,
                                "in MLflow but not in the manifest"));
                    }
                }
            }
        }
        return out;
    }

    private static Finding compare(String where, String taskId, String file, String expected, Path actual) throws IOException {
        if (!Files.isRegularFile(actual)) {
            return new Finding(Finding.Status.MISSING, where, taskId, file, "not found at " + actual);
        }
        String sha = Hashing.sha256(actual);
        return sha.equals(expected)
                ? new Finding(Finding.Status.OK, where, taskId, file, "sha256 " + sha.substring(0, 16) + "…")
                : new Finding(Finding.Status.MISMATCH, where, taskId, file,
                        "sha256 " + sha.substring(0, 16) + "…, manifest says " + expected.substring(0, 16) + "…");
    }
}
