package io.rankrepro.mlflow;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One MLflow 3 logged model to register ({@link MlflowTracking#logModels}).
 *
 * @param name        the model's name (characters MLflow refuses become '_')
 * @param sourceRunId the run that produced it
 * @param params      the model's params
 * @param tags        the model's tags
 * @param files       uploaded into the model's artifacts under their file names
 */
public record LoggedModelRequest(String name, String sourceRunId, Map<String, String> params, Map<String, String> tags,
                                 List<Path> files) {
    public LoggedModelRequest {
        params = Map.copyOf(params);
        tags = Map.copyOf(tags);
        files = List.copyOf(files);
    }
}
