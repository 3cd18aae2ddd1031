package io.rankrepro.tasks.toy;

import io.rankrepro.mlflow.RunTracker;
import io.rankrepro.tasks.task.Contract;
import io.rankrepro.tasks.task.Default;
import io.rankrepro.tasks.task.ParamCheck;
import io.rankrepro.tasks.task.Progress;
import io.rankrepro.tasks.io.Table;
import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code diagonal-toy/train}: full-batch gradient descent on the toy head from init scale
 * {@code alpha} (see {@link DiagonalHeadWeights#smallInit}) for steps = ceil(tau_max·log(1/α)/η),
 * i.e. up to rescaled time τ = t·η/log(1/α) = {@code tau_max}.
 *
 * <p>Params: {@link Config} ({@code alpha} swept, {@code learning_rate} η, {@code tau_max},
 * {@code checkpoints}, {@code uniform_checkpoints}, {@code log_every}, {@code resume_every}).
 * Input: {@code prepare}'s {@code data.npz}. Writes
 * {@code checkpoints/step_%09d.npz} (w_k, w_q, w_v, w_o), {@code loss.csv} (step,tau,loss) and
 * {@code train.json}; tracks metric {@code loss} at no more than {@value #MAX_TRACKED_POINTS} steps.
 *
 * <p>Resumable: every {@code resume_every} steps (default 2000) it saves a
 * snapshot (weights, step, the outputs so far) to its resume folder, after flushing the tracker so
 * that the run holds every metric of earlier steps; a rerun of the same task key continues from the
 * newest snapshot and produces the same bytes as an uninterrupted run.
 */
public final class DiagonalToyTrainTask implements Task {
    public static final String KIND = "diagonal-toy/train";
    static final int MAX_TRACKED_POINTS = 2000;
    /** A guard so a typo in tau_max or alpha cannot start a week-long run. */
    static final long MAX_STEPS = 50_000_000L;
    private static final String STATE = "weights.npz";

    @Override
    public String kind() {
        return KIND;
    }

    /**
     * @param alpha              init scale α (swept)
     * @param learningRate       η
     * @param tauMax             the rescaled time to train to
     * @param checkpoints        log-spaced checkpoint count
     * @param uniformCheckpoints checkpoints evenly spaced in τ, merged with the log-spaced ones
     * @param logEvery           steps between loss rows
     * @param resumeEvery        steps between resume snapshots
     */
    public record Config(double alpha, double learningRate, double tauMax, int checkpoints,
                         @Default("0") int uniformCheckpoints, long logEvery, @Default("2000") long resumeEvery) {
        public Config {
            ParamCheck.require(alpha > 0 && alpha < 1, "alpha", "must be in (0, 1), got " + alpha);
            ParamCheck.require(learningRate > 0, "learning_rate", "must be > 0, got " + learningRate);
            ParamCheck.require(tauMax > 0, "tau_max", "must be > 0, got " + tauMax);
            ParamCheck.require(logEvery > 0, "log_every", "must be > 0, got " + logEvery);
            ParamCheck.require(resumeEvery >= 1, "resume_every", "must be >= 1 (steps between resume snapshots)");
            ParamCheck.require(checkpoints >= 2, "checkpoints", "must be >= 2, got " + checkpoints);
            ParamCheck.require(uniformCheckpoints >= 0, "uniform_checkpoints", "must be >= 0, got " + uniformCheckpoints);
            long steps = new RescaledTime(alpha, learningRate).steps(tauMax);
            ParamCheck.require(steps <= MAX_STEPS, "tau_max",
                    "tau_max·log(1/alpha)/learning_rate = " + steps + " steps exceeds " + MAX_STEPS);
        }

        RescaledTime time() {
            return new RescaledTime(alpha, learningRate);
        }
    }

    private static final Contract CONTRACT = Contract.of(Config.class)
            .reads("prepare", ToyFiles.DATA)
            .writes(ToyFiles.CHECKPOINTS + "/*.npz", ToyFiles.LOSS, ToyFiles.TRAIN_RECORD)
            .build();

    @Override
    public Contract contract() {
        return CONTRACT;
    }

    @Override
    public void run(TaskContext ctx) throws Exception {
        Config c = ctx.params(Config.class);
        ToyDataset data = ToyDataset.read(ctx.input("prepare").dir().resolve(ToyFiles.DATA));
        RescaledTime time = c.time();
        double tauMax = c.tauMax();
        long steps = time.steps(tauMax);
        long logEvery = c.logEvery();
        long[] checkpoints = CheckpointSchedule.steps(steps, c.checkpoints(), c.uniformCheckpoints());
        Path out = ctx.outputDir();
        var resumed = ctx.resume().restore(out);
        long startStep = resumed.map(r -> r.step()).orElse(0L);
        DiagonalHeadWeights init = resumed.isPresent()
                ? DiagonalHeadWeights.read(resumed.get().stateDir().resolve(STATE))
                : DiagonalHeadWeights.smallInit(data.dim(), time.alpha());
        Path checkpointDir = Files.createDirectories(out.resolve(ToyFiles.CHECKPOINTS));
        new TrainRecord(time.alpha(), time.learningRate(), tauMax, steps, data.dim(), data.tokens(), data.samples())
                .write(out.resolve(ToyFiles.TRAIN_RECORD));

        // a multiple of logEvery, since only logged steps reach the observer
        long trackEvery = logEvery * Math.max(1, (steps + MAX_TRACKED_POINTS * logEvery - 1) / (MAX_TRACKED_POINTS * logEvery));
        long resumeEvery = c.resumeEvery();
        long started = System.nanoTime();
        try (Table.Writer lossCsv = Table.continued(out.resolve(ToyFiles.LOSS), resumed.isPresent(), "step", "tau", "loss")) {
            Observer observer = new Observer(lossCsv, checkpointDir, time, steps, trackEvery, ctx.tracker(), ctx.progress()) {
                @Override
                public void beforeStep(long step, java.util.function.Supplier<DiagonalHeadWeights> weights) throws IOException {
                    if (ctx.resume().due(step, startStep, steps, resumeEvery)) {
                        lossCsv.flush();
                        ctx.tracker().flush(); // the run (or the local spool) holds every metric before the snapshot
                        ctx.resume().save(step, out, dir -> weights.get().write(dir.resolve(STATE)));
                    }
                }
            };
            DiagonalHeadTrainer.train(data, init, startStep,
                    new DiagonalHeadTrainer.Config(time.learningRate(), steps, logEvery, checkpoints), observer);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        ctx.tracker().logMetric("train/steps_per_second", (steps - startStep + 1) / Math.max(seconds, 1e-9), steps);
        ctx.tracker().flush();
    }

    /** Streams losses to loss.csv and the tracker, and checkpoints to .npz files. */
    private static class Observer implements TrainingObserver {
        private final Table.Writer lossCsv;
        private final Path checkpointDir;
        private final RescaledTime time;
        private final long steps;
        private final long trackEvery;
        private final RunTracker tracker;
        private final Progress progress;
        private final long progressEvery;

        Observer(Table.Writer lossCsv, Path checkpointDir, RescaledTime time, long steps, long trackEvery,
                 RunTracker tracker, Progress progress) {
            this.lossCsv = lossCsv;
            this.checkpointDir = checkpointDir;
            this.time = time;
            this.steps = steps;
            this.trackEvery = trackEvery;
            this.tracker = tracker;
            this.progress = progress;
            this.progressEvery = Math.max(1, steps / 100);
        }

        @Override
        public void onLoss(long step, double loss) throws IOException {
            if (!Double.isFinite(loss)) {
                throw new IllegalStateException("loss is " + loss + " at step " + step
                        + ": gradient descent diverged; lower learning_rate");
            }
            lossCsv.row(step, time.tau(step), loss);
            if (step % trackEvery == 0 || step == steps) {
                tracker.logMetric("train/loss", loss, step);
            }
            if (step % progressEvery == 0 || step == steps) {
                progress.update(step, steps, String.format(Locale.ROOT, "tau %.3f loss %.4g", time.tau(step), loss));
            }
        }

        @Override
        public void onCheckpoint(long step, DiagonalHeadWeights weights) throws IOException {
            Path file = checkpointDir.resolve(ToyFiles.checkpointName(step));
            weights.write(file);
            tracker.checkpointWritten(file);
        }
    }
}
