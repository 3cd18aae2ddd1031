package io.rankrepro.pipeline.plan;

import java.util.List;

/**
 * One declared input of a planned task, wired: which upstream tasks produce it and which of
 * their files the task reads.
 *
 * @param stage     the upstream stage
 * @param files     the files (or folders, ending in {@code /}) read of each producer's output
 * @param producers the ids of the upstream tasks of that stage on this task's branch (every branch
 *                  for a gather), in plan order
 */
public record PlannedInput(String stage, List<String> files, List<String> producers) {
    public PlannedInput {
        files = List.copyOf(files);
        producers = List.copyOf(producers);
    }
}
