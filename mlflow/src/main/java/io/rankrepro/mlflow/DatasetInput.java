package io.rankrepro.mlflow;

/**
 * One dataset a run read, as MLflow's {@code runs/log-inputs} takes it (the UI's Datasets column).
 *
 * @param name       what a reader calls it
 * @param digest     identifies the content among datasets of that name (MLflow keeps at most 36 characters)
 * @param sourceType where it lives, in MLflow's terms ({@code local}, or {@code rankrepro} for a task's output)
 * @param source     a JSON object locating it, e.g. {@code {"uri": "..."}}
 * @param schema     a JSON description of its files (may be empty)
 * @param profile    a JSON summary (files, bytes, ...)
 * @param context    the {@code mlflow.data.context} tag: how the run used it (e.g. the reading task's stage)
 */
public record DatasetInput(String name, String digest, String sourceType, String source, String schema, String profile,
                           String context) {
    public static final int MAX_DIGEST = 36;

    public DatasetInput {
        if (digest.length() > MAX_DIGEST) {
            digest = digest.substring(0, MAX_DIGEST);
        }
    }
}
