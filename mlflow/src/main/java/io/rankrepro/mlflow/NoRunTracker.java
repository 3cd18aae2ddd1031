package io.rankrepro.mlflow;

import java.nio.file.Path;
import java.util.Map;

/** The tracker of an untracked run: accepts everything, keeps nothing. */
enum NoRunTracker implements RunTracker {
    INSTANCE;

    @Override public String runId() { return null; }
    @Override public void logParams(Map<String, String> params) { }
    @Override public void setTags(Map<String, String> tags) { }
    @Override public void logMetric(String key, double value, long step) { }
    @Override public void logArtifact(Path file, String artifactDir) { }
    @Override public void logArtifacts(Path dir, String artifactDir) { }
    @Override public void flush() { }
}
