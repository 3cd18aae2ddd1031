package io.rankrepro.tasks.rank;

import io.rankrepro.tasks.linalg.SpectralMetrics;

/**
 * Singular values of one head's product at one checkpoint.
 *
 * @param product {@code KQ} or {@code PV}
 * @param which   {@code delta} (X(t) − X(0)), {@code current} (X(t)) or {@code init} (X(0))
 */
public record HeadSpectrum(long step, int layer, int head, String product, String which, SpectralMetrics metrics) { }
