package io.rankrepro.tasks.toy;

import io.rankrepro.tasks.task.Params;
import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskContext;

import java.util.List;
import java.util.Map;

/**
 * {@code diagonal-toy/prepare}: draws X ~ N(0, 1)^{N×n×d} with {@code dataSeed} and labels it with the
 * teacher head; writes {@code data.npz} (X, Y, teacher_kq, teacher_vo; float64).
 * Params: {@code tokens} (n), {@code samples} (N), {@code teacherKq}, {@code teacherVo} (lists of
 * length d: the teacher's diagonal products), {@code dataSeed} (default 0).
 */
public final class DiagonalToyPrepareTask implements Task {
    public static final String KIND = "diagonal-toy/prepare";

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public List<String> validate(Params p) {
        List<String> problems = ToyTaskParams.problems();
        ToyTaskParams.positive(problems, p, "tokens");
        ToyTaskParams.positive(problems, p, "samples");
        ToyTaskParams.check(problems, () -> {
            p.getInt("tokens");
            p.getInt("samples");
            p.getLong("dataSeed", 0);
            new DiagonalTeacher(ToyTaskParams.doubles(p, "teacherKq"), ToyTaskParams.doubles(p, "teacherVo"));
        });
        ToyTaskParams.check(problems, () -> {
            long size = (long) p.getInt("samples") * p.getInt("tokens") * p.getDoubleList("teacherKq").size();
            if (size > 50_000_000L) {
                problems.add("samples x tokens x d = " + size + " values is too large for this toy (max 5e7)");
            }
        });
        return problems;
    }

    @Override
    public void run(TaskContext ctx) throws Exception {
        Params p = ctx.params();
        DiagonalTeacher teacher = new DiagonalTeacher(ToyTaskParams.doubles(p, "teacherKq"),
                ToyTaskParams.doubles(p, "teacherVo"));
        ToyDataset data = ToyDataset.generate(p.getInt("samples"), p.getInt("tokens"), teacher, p.getLong("dataSeed", 0));
        data.write(ctx.outputDir().resolve(ToyFiles.DATA));
        ctx.tracker().logParams(Map.of("dim", String.valueOf(data.dim())));
        ctx.tracker().logMetric("initial_loss", new DiagonalHeadObjective(data).value(new double[2 * data.dim()]), 0);
    }
}
