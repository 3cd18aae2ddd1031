package io.rankrepro.pipeline.track;

import io.rankrepro.mlflow.RunView;
import io.rankrepro.pipeline.exec.PublishedOutputs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Task outputs published on the MLflow server: a task's run carries {@value #KEY_TAG} and, once it
 * computed its output, {@value #OUTPUTS_TAG}; its {@code outputs/} artifacts hold the files and the
 * manifest. Found across every experiment, since specs share tasks. The child runs that only stand
 * for a reused output ({@code rankrepro.cached}) hold no artifacts and are passed over.
 */
public final class MlflowOutputs implements PublishedOutputs {
    public static final String KEY_TAG = "rankrepro.key";
    public static final String OUTPUTS_TAG = "rankrepro.outputs_sha256";
    private static final String CACHED_TAG = "rankrepro.cached";

    private final Tracking tracking;

    public MlflowOutputs(Tracking tracking) {
        if (!tracking.enabled()) {
            throw new IllegalArgumentException("the MLflow shared store needs tracking");
        }
        this.tracking = tracking;
    }

    @Override
    public List<Publication> of(String key) {
        if (!key.matches("[0-9a-f]{16,128}")) {
            throw new IllegalArgumentException("not a task key: " + key);
        }
        List<Publication> out = new ArrayList<>();
        for (RunView r : tracking.searchRunsEverywhere("tags.`" + KEY_TAG + "` = '" + key + "' and attributes.status = 'FINISHED'")) {
            if (!"true".equals(r.tags().get(CACHED_TAG))) {
                out.add(new Publication(r.runId(), r.tags().get(OUTPUTS_TAG)));
            }
        }
        return out;
    }

    @Override
    public void download(String runId, Path dest) {
        tracking.download(runId, "outputs", dest);
    }
}
