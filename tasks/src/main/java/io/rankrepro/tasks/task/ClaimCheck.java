package io.rankrepro.tasks.task;

/**
 * A paper's claim checked against measured numbers. Figure tasks write their checks to
 * {@code checks.json} (see {@link ClaimChecks}); the pipeline prints and tracks them.
 *
 * @param id       short stable id, e.g. {@code greedy-stage-times}
 * @param claim    the paper's claim in words
 * @param measured the numbers measured, in words (e.g. "max |Δτ| = 0.04 over 3 stages")
 * @param criterion what counts as reproduced (e.g. "max |Δτ| ≤ 0.1")
 * @param passed   whether the criterion held
 */
public record ClaimCheck(String id, String claim, String measured, String criterion, boolean passed) { }
