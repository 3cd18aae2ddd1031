package io.rankrepro.tasks.factorized;

/**
 * Least-squares fit of y_t ≈ C·e^{−r t} on the points with y_t ≥ {@code floor} (below it float64
 * rounding, not the dynamics, sets y).
 *
 * @param rate   r, per step
 * @param points how many points the fit used
 * @param first  first step used
 * @param last   last step used
 */
public record DecayRateFit(double rate, int points, long first, long last) {

    public static DecayRateFit fit(long[] steps, double[] values, double floor) {
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        int n = 0;
        long first = -1, last = -1;
        for (int i = 0; i < steps.length; i++) {
            if (values[i] >= floor && values[i] > 0) {
                double x = steps[i];
                double y = Math.log(values[i]);
                sx += x;
                sy += y;
                sxx += x * x;
                sxy += x * y;
                n++;
                if (first < 0) {
                    first = steps[i];
                }
                last = steps[i];
            }
        }
        if (n < 2) {
            return new DecayRateFit(Double.NaN, n, first, last);
        }
        double slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
        return new DecayRateFit(-slope, n, first, last);
    }
}
