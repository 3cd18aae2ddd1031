package io.rankrepro.tasks.factorized;

import io.rankrepro.tasks.io.Table;
import io.rankrepro.tasks.optim.AdamSettings;
import io.rankrepro.tasks.optim.OptimizerKind;
import io.rankrepro.tasks.task.Contract;
import io.rankrepro.tasks.task.ParamCheck;
import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskContext;

import java.util.List;

/**
 * {@code two-param-toy/train}: at one λ, the four runs of Fig. A1 — {direct, factorized} ×
 * {AdamW, Adam+L2} — on ½‖w − w*‖². Writes {@code trajectories.csv}
 * ({@code parameterization,optimizer,step,w1,w2}).
 *
 * <p>Params: {@link Config}.
 */
public final class TwoParameterTrainTask implements Task {
    static final String FILE = "trajectories.csv";
    static final List<OptimizerKind> OPTIMIZERS = List.of(OptimizerKind.ADAMW, OptimizerKind.ADAM_L2);

    @Override
    public String kind() {
        return "two-param-toy/train";
    }

    /**
     * @param lambda       λ (swept)
     * @param target       w*, two finite numbers
     * @param init         w₀, two finite numbers, both > 0 (the factorized run starts at a = b = √w₀)
     * @param learningRate the constant learning rate
     * @param steps        full-batch steps per run
     * @param recordEvery  steps between written points
     * @param beta1        Adam's β₁
     * @param beta2        Adam's β₂
     * @param eps          Adam's ε
     */
    public record Config(double lambda, List<Double> target, List<Double> init, double learningRate, long steps,
                         long recordEvery, double beta1, double beta2, double eps) {
        public Config {
            ParamCheck.range("lambda", lambda, 0, 100);
            ParamCheck.positive("learning_rate", learningRate, 10);
            ParamCheck.range("steps", steps, 1, 10_000_000);
            ParamCheck.range("record_every", recordEvery, 1, 10_000_000);
            ParamCheck.range("beta1", beta1, 0, 0.999999);
            ParamCheck.range("beta2", beta2, 0, 0.999999);
            ParamCheck.positive("eps", eps, 1);
            twoFinite("target", target);
            twoFinite("init", init);
            ParamCheck.require(init.stream().allMatch(x -> x > 0), "init",
                    "both entries must be > 0 (the factorized run starts at a = b = √w₀), got " + init);
            target = List.copyOf(target);
            init = List.copyOf(init);
        }

        private static void twoFinite(String name, List<Double> v) {
            ParamCheck.require(v != null && v.size() == 2 && v.stream().allMatch(x -> x != null && Double.isFinite(x)), name,
                    "must be two finite numbers, got " + v);
        }
    }

    private static final Contract CONTRACT = Contract.of(Config.class)
            .writes(FILE)
            .build();

    @Override
    public Contract contract() {
        return CONTRACT;
    }

    @Override
    public void run(TaskContext ctx) throws Exception {
        Config c = ctx.params(Config.class);
        double[] target = c.target().stream().mapToDouble(Double::doubleValue).toArray();
        double[] init = c.init().stream().mapToDouble(Double::doubleValue).toArray();
        AdamSettings adam = new AdamSettings(c.beta1(), c.beta2(), c.eps());
        try (Table.Writer w = Table.writer(ctx.outputDir().resolve(FILE), "parameterization", "optimizer", "step", "w1", "w2")) {
            int done = 0;
            for (TwoParameterToy.Parameterization param : TwoParameterToy.Parameterization.values()) {
                for (OptimizerKind opt : OPTIMIZERS) {
                    TwoParameterToy.Setting s = new TwoParameterToy.Setting(param, opt, c.lambda(), target, init,
                            c.learningRate(), c.steps(), adam);
                    List<TwoParameterToy.Point> points = TwoParameterToy.run(s, c.recordEvery());
                    for (TwoParameterToy.Point pt : points) {
                        w.row(param.name().toLowerCase(), opt.specName(), pt.step(), pt.w1(), pt.w2());
                    }
                    TwoParameterToy.Point last = points.get(points.size() - 1);
                    String key = param.name().toLowerCase() + "_" + opt.specName().replace('-', '_');
                    ctx.tracker().logMetric("train/" + key + "/w1", last.w1(), last.step());
                    ctx.tracker().logMetric("train/" + key + "/w2", last.w2(), last.step());
                    ctx.progress().update(++done, 4, key);
                }
            }
        }
    }
}
