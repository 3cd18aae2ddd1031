package io.rankrepro.pipeline.testkinds;

import io.rankrepro.tasks.task.Params;
import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskContext;
import io.rankrepro.tasks.task.TaskInput;
import io.rankrepro.tasks.task.TaskProvider;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Tiny task kinds for testing the planner and executor: they write what they saw, so tests can
 * assert on data flow, and count their runs, so tests can assert on caching.
 */
public final class TestTaskProvider implements TaskProvider {
    public static final AtomicInteger RUNS = new AtomicInteger();

    @Override
    public List<Task> tasks() {
        return List.of(new Emit(), new Gather());
    }

    /** Writes value = x * factor (+ upstream values); fails on request; validates x ≥ 0. */
    static final class Emit implements Task {
        @Override public String kind() { return "test/emit"; }

        @Override
        public void run(TaskContext ctx) throws Exception {
            RUNS.incrementAndGet();
            if (ctx.params().getBoolean("fail", false)) {
                throw new IllegalStateException("asked to fail");
            }
            Thread.sleep(ctx.params().getInt("sleepMs", 0));
            double v = ctx.params().getDouble("x", 0) * ctx.params().getDouble("factor", 1);
            for (TaskInput in : ctx.inputs()) {
                v += Double.parseDouble(Files.readString(in.dir().resolve("value.txt")).trim());
            }
            Files.writeString(ctx.outputDir().resolve("value.txt"), Double.toString(v));
            ctx.tracker().logMetric("value", v, 0);
        }

        @Override
        public List<String> validate(Params params) {
            List<String> problems = new ArrayList<>();
            if (params.has("x") && params.getDouble("x") < 0) {
                problems.add("x: must be ≥ 0, got " + params.getDouble("x"));
            }
            return problems;
        }
    }

    /** Sums the values of its direct upstream tasks into sum.txt, listing their sweep points. */
    static final class Gather implements Task {
        @Override public String kind() { return "test/gather"; }

        @Override
        public void run(TaskContext ctx) throws Exception {
            RUNS.incrementAndGet();
            double sum = 0;
            StringBuilder points = new StringBuilder();
            for (TaskInput in : ctx.inputs()) {
                if (Files.exists(in.dir().resolve("value.txt")) && !in.sweepPoint().isEmpty()
                        && in.stage().equals(ctx.params().getString("from", "b"))) {
                    sum += Double.parseDouble(Files.readString(in.dir().resolve("value.txt")).trim());
                    points.append(in.sweepPoint()).append('\n');
                }
            }
            Files.writeString(ctx.outputDir().resolve("sum.txt"), Double.toString(sum));
            Files.writeString(ctx.outputDir().resolve("points.txt"), points.toString());
        }
    }
}
