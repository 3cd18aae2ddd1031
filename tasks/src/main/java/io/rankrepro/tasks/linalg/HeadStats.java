package io.rankrepro.tasks.linalg;

/**
 * Mean ± standard deviation of one metric over the heads of a layer. The std is the
 * <em>population</em> std (divide by n, numpy's default): the heads of a layer are all of them,
 * not a sample, and a one-head layer gets std 0 rather than an undefined value.
 */
public record HeadStats(double mean, double std, int heads) {

    public static HeadStats of(double... perHead) {
        if (perHead.length == 0) {
            throw new IllegalArgumentException("no heads to summarize");
        }
        double sum = 0;
        for (int h = 0; h < perHead.length; h++) {
            if (!Double.isFinite(perHead[h])) {
                throw new IllegalArgumentException("head " + h + " has a non-finite value " + perHead[h]);
            }
            sum += perHead[h];
        }
        double mean = sum / perHead.length;
        double squares = 0;
        for (double v : perHead) {
            squares += (v - mean) * (v - mean);
        }
        return new HeadStats(mean, Math.sqrt(squares / perHead.length), perHead.length);
    }
}
