package io.rankrepro.pipeline.claims;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One claim of a paper as the register states it: the paper's words and where, what the paper
 * reports, and how rankrepro tests it. The figure task of {@code figure} writes a check with
 * the same {@code id}.
 *
 * @param source        figure, caption or section where the paper states it
 * @param words         the claim in the paper's words (quoted or closely paraphrased)
 * @param paperReports  what the paper shows: its numbers or the figure's description
 * @param statistic     what is measured, per seed
 * @param criterion     what counts as reproduced
 * @param rationale     why that criterion reads the claim fairly
 */
public record RegisteredClaim(String id, String figure, String source, String words,
                              @JsonProperty("paper_reports") String paperReports, String statistic, String criterion,
                              String rationale) { }
