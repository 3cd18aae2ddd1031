package io.rankrepro.mlflow;

/** One logged metric value, as MLflow stores it. */
public record MetricPoint(String key, double value, long step, long timestampMillis) {
}
