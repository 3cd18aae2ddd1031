package io.rankrepro.tasks.toy;

import java.util.Arrays;

/**
 * One stage of the greedy (α → 0) prediction: on [tau, next stage's tau) the loss sits at
 * {@code loss} and the weights at {@code w}.
 *
 * @param index       0 for the initial plateau at w = 0, then 1, 2, ...
 * @param tau         rescaled time at which the stage starts
 * @param loss        the plateau loss ℓ(w) during the stage
 * @param coordinate  the coordinate of w that switched on at {@code tau}; -1 for stage 0
 * @param sign        the sign it switched on with (±1; 0 for stage 0)
 * @param w           the weights at the end of the stage (the rest point after the jump)
 * @param deactivated coordinates that fell back to 0 during this stage's jump
 */
public record GreedyStage(int index, double tau, double loss, int coordinate, int sign, double[] w, int[] deactivated) {

    public GreedyStage {
        w = w.clone();
        deactivated = deactivated.clone();
    }

    @Override
    public double[] w() {
        return w.clone();
    }

    @Override
    public int[] deactivated() {
        return deactivated.clone();
    }

    @Override
    public String toString() {
        return "GreedyStage[" + index + " tau=" + tau + " loss=" + loss + " coordinate=" + coordinate
                + " sign=" + sign + " w=" + Arrays.toString(w) + " deactivated=" + Arrays.toString(deactivated) + "]";
    }
}
