package io.rankrepro.pipeline.report;

import io.rankrepro.tasks.task.Effect;

import java.util.Locale;

/** An effect in one line, the same in the console and the report: "0.42 [0.31, 0.53] > 0; 3 of 3 seeds". */
final class EffectText {
    private EffectText() { }

    static String of(Effect e) {
        String estimate = e.seeds() == 1 && e.low() == e.high()
                ? num(e.estimate())
                : num(e.estimate()) + " [" + num(e.low()) + ", " + num(e.high()) + "]";
        return estimate + " vs threshold " + num(e.threshold()) + "; " + e.inDirection() + " of " + e.seeds()
                + (e.seeds() == 1 ? " run" : " seeds") + " beyond it (" + e.method() + "): " + e.statistic();
    }

    static String num(double v) {
        if (v == 0 || Double.isNaN(v) || Double.isInfinite(v)) {
            return Double.toString(v);
        }
        double a = Math.abs(v);
        return a >= 1e4 || a < 1e-3 ? String.format(Locale.ROOT, "%.3g", v) : String.format(Locale.ROOT, "%.4g", v);
    }
}
