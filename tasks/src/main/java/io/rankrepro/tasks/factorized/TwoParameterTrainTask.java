package io.rankrepro.tasks.factorized;

import io.rankrepro.tasks.optim.AdamSettings;
import io.rankrepro.tasks.optim.OptimizerKind;
import io.rankrepro.tasks.task.Params;
import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskContext;

import java.io.BufferedWriter;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code two-param-toy/train}: at one λ, the four runs of Fig. A1 — {direct, factorized} ×
 * {AdamW, Adam+L2} — on ½‖w − w*‖². Writes {@code trajectories.csv}
 * ({@code parameterization,optimizer,step,w1,w2}).
 *
 * <p>Params: {@code lambda}, {@code target} (w*), {@code init} (w₀, both entries > 0),
 * {@code learningRate}, {@code steps}, {@code recordEvery}, {@code beta1}, {@code beta2}, {@code eps}.
 */
public final class TwoParameterTrainTask implements Task {
    static final String FILE = "trajectories.csv";
    static final List<OptimizerKind> OPTIMIZERS = List.of(OptimizerKind.ADAMW, OptimizerKind.ADAM_L2);

    @Override
    public String kind() {
        return "two-param-toy/train";
    }

    @Override
    public List<String> validate(Params p) {
        List<String> problems = new ArrayList<>();
        ParamRules.number(p, "lambda", true, 100, problems);
        ParamRules.number(p, "learningRate", false, 10, problems);
        ParamRules.integer(p, "steps", 1, 10_000_000, problems);
        ParamRules.integer(p, "recordEvery", 1, 10_000_000, problems);
        ParamRules.number(p, "beta1", true, 0.999999, problems);
        ParamRules.number(p, "beta2", true, 0.999999, problems);
        ParamRules.number(p, "eps", false, 1, problems);
        for (String key : List.of("target", "init")) {
            try {
                List<Double> v = p.getDoubleList(key);
                if (v.size() != 2 || v.stream().anyMatch(x -> !Double.isFinite(x))) {
                    problems.add(key + ": must be two finite numbers, got " + v);
                } else if (key.equals("init") && v.stream().anyMatch(x -> x <= 0)) {
                    problems.add("init: both entries must be > 0 (the factorized run starts at a = b = √w₀), got " + v);
                }
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        return problems;
    }

    @Override
    public void run(TaskContext ctx) throws Exception {
        Params p = ctx.params();
        double[] target = p.getDoubleList("target").stream().mapToDouble(Double::doubleValue).toArray();
        double[] init = p.getDoubleList("init").stream().mapToDouble(Double::doubleValue).toArray();
        AdamSettings adam = new AdamSettings(p.getDouble("beta1"), p.getDouble("beta2"), p.getDouble("eps"));
        try (BufferedWriter w = Files.newBufferedWriter(ctx.outputDir().resolve(FILE))) {
            w.write("parameterization,optimizer,step,w1,w2\n");
            int done = 0;
            for (TwoParameterToy.Parameterization param : TwoParameterToy.Parameterization.values()) {
                for (OptimizerKind opt : OPTIMIZERS) {
                    TwoParameterToy.Setting s = new TwoParameterToy.Setting(param, opt, p.getDouble("lambda"), target, init,
                            p.getDouble("learningRate"), p.getLong("steps"), adam);
                    List<TwoParameterToy.Point> points = TwoParameterToy.run(s, p.getLong("recordEvery"));
                    for (TwoParameterToy.Point pt : points) {
                        w.write(param.name().toLowerCase() + "," + opt.specName() + "," + pt.step() + "," + pt.w1() + "," + pt.w2() + "\n");
                    }
                    TwoParameterToy.Point last = points.get(points.size() - 1);
                    String key = param.name().toLowerCase() + "_" + opt.specName().replace('-', '_');
                    ctx.tracker().logMetric(key + "_w1", last.w1(), last.step());
                    ctx.tracker().logMetric(key + "_w2", last.w2(), last.step());
                    ctx.progress().update(++done, 4, key);
                }
            }
        }
    }
}
