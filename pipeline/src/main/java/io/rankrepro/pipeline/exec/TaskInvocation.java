package io.rankrepro.pipeline.exec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The arguments of {@code rankrepro task} for one task: what a child JVM, a container or an
 * Airflow operator runs. Paths are as the runner of the command sees them.
 *
 * @param trackingUri null for {@code --no-tracking}
 * @param parentRunId the DAG run's tracking run, or null
 */
public record TaskInvocation(String spec, String profile, Map<String, Object> overrides, String taskId,
                             String workdir, String trackingUri, String parentRunId) {

    public TaskInvocation {
        overrides = Map.copyOf(overrides);
    }

    public List<String> args() {
        List<String> args = new ArrayList<>(List.of("task", "--spec", spec, "--profile", profile, "--task", taskId, "--workdir", workdir));
        new java.util.TreeMap<>(overrides).forEach((k, v) -> args.addAll(List.of("--set", k + "=" + v)));
        if (trackingUri == null) {
            args.add("--no-tracking");
        } else {
            args.addAll(List.of("--tracking-uri", trackingUri));
            if (parentRunId != null) {
                args.addAll(List.of("--parent-run-id", parentRunId));
            }
        }
        return args;
    }
}
