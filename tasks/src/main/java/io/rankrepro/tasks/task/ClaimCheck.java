package io.rankrepro.tasks.task;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Objects;

/**
 * One result a figure task writes to {@code checks.json} (see {@link ClaimChecks}): either a paper
 * claim, registered with its words, source and criterion in {@code pipeline/claims/<paper>.yaml}
 * and counted in the report, or a sanity check of our own code (an identity, a fit that must
 * hold), reported apart and never counted as a claim.
 *
 * @param id        stable id; for a claim, its id in the paper's register
 * @param role      {@link Role#CLAIM} or {@link Role#SANITY}
 * @param claim     the claim (or what is checked) in a line
 * @param measured  the numbers measured, in words
 * @param criterion what counts as reproduced, in words
 * @param effect    the effect size with its interval over seeds; null for a sanity check
 * @param passed    whether the criterion held
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClaimCheck(String id, Role role, String claim, String measured, String criterion, Effect effect, boolean passed) {

    public enum Role { CLAIM, SANITY }

    public ClaimCheck {
        Objects.requireNonNull(id, "id");
        role = role == null ? Role.CLAIM : role;
    }

    /**
     * A claim checked without an effect size. Kept while figures move to {@link #claim}; a claim
     * written this way shows no interval in the report.
     */
    public ClaimCheck(String id, String claim, String measured, String criterion, boolean passed) {
        this(id, Role.CLAIM, claim, measured, criterion, null, passed);
    }

    /** A paper claim whose verdict is its effect: in the paper's direction beyond the interval. */
    public static ClaimCheck claim(String id, String claim, String measured, String criterion, Effect effect) {
        return new ClaimCheck(id, Role.CLAIM, claim, measured, criterion, effect, effect.reproduces());
    }

    /** A check of the code or of the setup, reported apart from the claims. */
    public static ClaimCheck sanity(String id, String what, String measured, String criterion, boolean passed) {
        return new ClaimCheck(id, Role.SANITY, what, measured, criterion, null, passed);
    }

    /** Counted among the paper's claims (a sanity check is not). */
    public boolean countsAsClaim() {
        return role == Role.CLAIM;
    }
}
