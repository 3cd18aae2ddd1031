package io.rankrepro.tasks.toy;

import io.rankrepro.tasks.task.Contract;
import io.rankrepro.tasks.task.Default;
import io.rankrepro.tasks.task.ParamCheck;
import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskContext;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code diagonal-toy/prepare}: draws X ~ N(0, 1)^{N×n×d} with {@code data_seed} and labels it with the
 * teacher head; writes {@code data.npz} (X, Y, teacher_kq, teacher_vo; float64).
 *
 * <p>Params: {@link Config}.
 */
public final class DiagonalToyPrepareTask implements Task {
    public static final String KIND = "diagonal-toy/prepare";
    /** samples × tokens × d above this is too large for the toy. */
    static final long MAX_VALUES = 50_000_000L;

    /**
     * @param tokens    n, tokens per sample
     * @param samples   N
     * @param teacherKq the teacher's diagonal product w*_K⊙w*_Q, length d
     * @param teacherVo the teacher's diagonal product w*_V⊙w*_O, length d
     * @param dataSeed  seed of the Gaussian tokens
     */
    public record Config(int tokens, int samples, List<Double> teacherKq, List<Double> teacherVo,
                         @Default("0") long dataSeed) {
        public Config {
            ParamCheck.require(tokens > 0, "tokens", "must be > 0, got " + tokens);
            ParamCheck.require(samples > 0, "samples", "must be > 0, got " + samples);
            numbers("teacher_kq", teacherKq);
            numbers("teacher_vo", teacherVo);
            ParamCheck.require(teacherKq.size() == teacherVo.size(), "teacher_vo",
                    "must have the same length as teacher_kq (d); got " + teacherKq.size() + " and " + teacherVo.size());
            long size = (long) samples * tokens * teacherKq.size();
            ParamCheck.require(size <= MAX_VALUES, "samples",
                    "samples x tokens x d = " + size + " values is too large for this toy (max 5e7)");
            teacherKq = List.copyOf(teacherKq);
            teacherVo = List.copyOf(teacherVo);
        }

        private static void numbers(String param, List<Double> list) {
            ParamCheck.require(list != null && !list.isEmpty() && list.stream().allMatch(Objects::nonNull), param,
                    "needs one number per dimension (at least one), got " + list);
        }

        DiagonalTeacher teacher() {
            return new DiagonalTeacher(doubles(teacherKq), doubles(teacherVo));
        }
    }

    private static final Contract CONTRACT = Contract.of(Config.class)
            .writes(ToyFiles.DATA)
            .build();

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Contract contract() {
        return CONTRACT;
    }

    @Override
    public void run(TaskContext ctx) throws Exception {
        Config c = ctx.params(Config.class);
        ToyDataset data = ToyDataset.generate(c.samples(), c.tokens(), c.teacher(), c.dataSeed());
        data.write(ctx.outputDir().resolve(ToyFiles.DATA));
        ctx.tracker().logParams(Map.of(ctx.stage() + ".dim", String.valueOf(data.dim())));
        ctx.tracker().logMetric("data/initial_loss", new DiagonalHeadObjective(data).value(new double[2 * data.dim()]), 0);
    }

    static double[] doubles(List<Double> list) {
        return list.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
