package io.rankrepro.pipeline.testkinds;

import io.rankrepro.tasks.task.Contract;
import io.rankrepro.tasks.task.Default;
import io.rankrepro.tasks.task.ParamCheck;
import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskContext;
import io.rankrepro.tasks.task.TaskInput;
import io.rankrepro.tasks.task.TaskProvider;

import java.nio.file.Files;
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
        record Config(@Default("0") double x, @Default("1") double factor, @Default("false") boolean fail,
                      @Default("0") int sleepMs) {
            Config {
                ParamCheck.require(x >= 0, "x", "must be ≥ 0, got " + x);
            }
        }

        private static final Contract CONTRACT = Contract.of(Config.class)
                .readsIfPresent("a", "value.txt").readsIfPresent("b", "value.txt").readsIfPresent("c", "value.txt")
                .writes("value.txt").build();

        @Override public String kind() { return "test/emit"; }

        @Override public Contract contract() { return CONTRACT; }

        @Override
        public void run(TaskContext ctx) throws Exception {
            RUNS.incrementAndGet();
            Config c = ctx.params(Config.class);
            if (c.fail()) {
                throw new IllegalStateException("asked to fail");
            }
            Thread.sleep(c.sleepMs());
            double v = c.x() * c.factor();
            for (TaskInput in : ctx.inputs()) {
                v += Double.parseDouble(Files.readString(in.dir().resolve("value.txt")).trim());
            }
            Files.writeString(ctx.outputDir().resolve("value.txt"), Double.toString(v));
            ctx.tracker().logMetric("value", v, 0);
        }
    }

    /** Sums the values of its direct upstream tasks into sum.txt, listing their sweep points. */
    static final class Gather implements Task {
        record Config(@Default("b") String from) { }

        private static final Contract CONTRACT = Contract.of(Config.class)
                .readsIfPresent("b", "value.txt").readsIfPresent("c", "value.txt").writes("sum.txt", "points.txt").build();

        @Override public String kind() { return "test/gather"; }

        @Override public Contract contract() { return CONTRACT; }

        @Override
        public void run(TaskContext ctx) throws Exception {
            RUNS.incrementAndGet();
            double sum = 0;
            StringBuilder points = new StringBuilder();
            for (TaskInput in : ctx.inputs()) {
                if (Files.exists(in.dir().resolve("value.txt")) && !in.sweepPoint().isEmpty()
                        && in.stage().equals(ctx.params(Config.class).from())) {
                    sum += Double.parseDouble(Files.readString(in.dir().resolve("value.txt")).trim());
                    points.append(in.sweepPoint()).append('\n');
                }
            }
            Files.writeString(ctx.outputDir().resolve("sum.txt"), Double.toString(sum));
            Files.writeString(ctx.outputDir().resolve("points.txt"), points.toString());
        }
    }
}
