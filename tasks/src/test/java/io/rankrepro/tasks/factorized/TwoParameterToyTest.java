package io.rankrepro.tasks.factorized;

import io.rankrepro.tasks.optim.AdamSettings;
import io.rankrepro.tasks.optim.OptimizerKind;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.rankrepro.tasks.factorized.TwoParameterToy.Parameterization.DIRECT;
import static io.rankrepro.tasks.factorized.TwoParameterToy.Parameterization.FACTORIZED;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TwoParameterToyTest {
    static final double[] TARGET = {1.0, 0.3};
    static final double[] INIT = {0.25, 1.0};

    static TwoParameterToy.Point last(TwoParameterToy.Parameterization p, OptimizerKind opt, double lambda) {
        List<TwoParameterToy.Point> pts = TwoParameterToy.run(new TwoParameterToy.Setting(p, opt, lambda, TARGET, INIT, 0.01, 3000,
                AdamSettings.DEFAULTS), 3000);
        return pts.get(pts.size() - 1);
    }

    @Test
    void minimizersShrinkDirectlyAndSoftThresholdWhenFactorized() {
        assertArrayEquals(new double[] {1 / 1.5, 0.2}, TwoParameterToy.minimizer(DIRECT, TARGET, 0.5), 1e-15);
        assertArrayEquals(new double[] {0.5, 0.0}, TwoParameterToy.minimizer(FACTORIZED, TARGET, 0.5), 1e-15);
    }

    @Test
    void adamL2ReachesTheMinimizersAndOnlyTheFactorizedRunZeroesACoordinate() {
        TwoParameterToy.Point fac = last(FACTORIZED, OptimizerKind.ADAM_L2, 0.5);
        TwoParameterToy.Point dir = last(DIRECT, OptimizerKind.ADAM_L2, 0.5);
        assertTrue(Math.abs(fac.w2()) < 1e-3, "factorized w2 = " + fac.w2());
        assertEquals(0.5, fac.w1(), 1e-3);
        assertEquals(0.2, dir.w2(), 1e-3);
        assertEquals(1 / 1.5, dir.w1(), 1e-3);
    }

    @Test
    void adamwWithFullBatchGradientsBarelyShrinksTheFactorizedModel() {
        TwoParameterToy.Point fac = last(FACTORIZED, OptimizerKind.ADAMW, 0.5);
        assertTrue(Math.abs(fac.w2()) > 0.2, "AdamW factorized w2 = " + fac.w2());
    }
}
