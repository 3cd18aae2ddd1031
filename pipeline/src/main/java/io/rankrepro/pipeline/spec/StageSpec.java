package io.rankrepro.pipeline.spec;

import java.util.Map;

/**
 * One stage of an experiment.
 *
 * @param name   stage name, also the CLI subcommand family (prepare, train, checkpoint, analyze, figure, ...)
 * @param kind   the task kind that implements it, e.g. {@code diagonal-toy/train}
 * @param params base parameters (JSON-like values)
 * @param sweep  whether this stage fans out over the experiment's sweep points
 * @param gather whether this stage runs once over every sweep point of the stage before
 * @param sharedFrom the stage file it comes from ({@code use:}), or null when written in the spec
 */
public record StageSpec(String name, String kind, Map<String, Object> params, boolean sweep, boolean gather, String sharedFrom) {
    public StageSpec {
        params = Map.copyOf(params);
    }
}
