package io.rankrepro.tasks.rank;

import io.rankrepro.mlflow.MetricNames;
import io.rankrepro.tasks.io.SafetensorsFile;
import io.rankrepro.tasks.io.SafetensorsReader;
import io.rankrepro.tasks.linalg.SpectralMetrics;
import io.rankrepro.tasks.task.Contract;
import io.rankrepro.tasks.task.Default;
import io.rankrepro.tasks.task.ParamCheck;
import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskContext;
import io.rankrepro.tasks.task.TaskInput;
import io.rankrepro.tasks.train.TrainTask;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code rank/analyze}: per checkpoint, layer and head, the spectra and rank metrics of ΔKQ^h and
 * ΔPV^h (relative to the step-0 checkpoint) and of KQ^h, PV^h themselves; tables as
 * {@link RankTables}. Reads the verified {@code checkpoints/} of the {@code checkpoint} stage, or —
 * standalone — the file named by param {@code checkpoint} (any supported {@link CheckpointLayout},
 * e.g. a GPT-2 {@code model.safetensors}; param {@code heads} when the file does not record it).
 *
 * <p>Params: {@link Config}.
 */
public final class AnalyzeTask implements Task {
    static final String CHECKPOINT_STAGE = "checkpoint";

    /**
     * @param relTol     τ of the numerical rank (the project default, {@link SpectralMetrics#DEFAULT_REL_TOL})
     * @param heads      heads per layer; 0 = read from the checkpoint's metadata
     * @param checkpoint a {@code .safetensors} file to analyse standalone; null = the {@code checkpoint} stage's
     */
    public record Config(@Default("0.01") double relTol, @Default("0") int heads, @Default("null") String checkpoint) {
        public Config {
            ParamCheck.require(relTol >= 0 && relTol < 1, "rel_tol", "must be in [0, 1), got " + relTol);
            ParamCheck.require(heads >= 0 && heads <= 4096, "heads", "must be in [0, 4096] (0 = read from the checkpoint), got " + heads);
            ParamCheck.require(checkpoint == null || !checkpoint.isBlank(), "checkpoint", "must be a path to a .safetensors file");
        }
    }

    private static final Contract CONTRACT = Contract.of(Config.class)
            .readsIfPresent(CHECKPOINT_STAGE, TrainTask.CHECKPOINTS + "/")
            .writes(RankTables.RANKS, RankTables.BY_LAYER, RankTables.SPECTRA)
            .external(c -> c.checkpoint() == null ? List.of() : List.of(Path.of(c.checkpoint())))
            .build();

    @Override
    public String kind() {
        return "rank/analyze";
    }

    @Override
    public Contract contract() {
        return CONTRACT;
    }

    @Override
    public void run(TaskContext ctx) throws IOException {
        Config c = ctx.params(Config.class);
        double tol = c.relTol();
        int heads = c.heads();
        boolean standalone = c.checkpoint() != null;
        List<Path> files = standalone ? List.of(Path.of(c.checkpoint())) : checkpoints(ctx);
        RankTables tables = new RankTables(ctx.outputDir());
        try {
            SafetensorsFile init = null;
            CheckpointLayout layout = null;
            for (int i = 0; i < files.size(); i++) {
                SafetensorsFile f = SafetensorsReader.read(files.get(i));
                if (layout == null) {
                    layout = CheckpointLayout.detect(f, heads);
                }
                long step = stepOf(files.get(i), f);
                boolean isInit = !standalone && i == 0;
                if (isInit) {
                    init = f;
                    if (step != 0) {
                        throw new IOException(files.get(i) + " is step " + step + "; the first checkpoint must be the initialization (step 0)");
                    }
                }
                List<HeadSpectrum> rows = HeadRankAnalysis.analyze(layout, f, init, step, tol);
                for (RankTables.LayerSummary s : tables.append(rows)) {
                    if (s.metric().equals("stable_rank") && !s.which().equals("init")) {
                        ctx.tracker().logMetric(MetricNames.rank(s.which() + "_" + s.product(), "stable_rank", s.layer()), s.stats().mean(), step);
                    }
                }
                ctx.progress().update(i + 1, files.size(), "step " + step);
            }
        } finally {
            tables.close();
        }
    }

    private static long stepOf(Path file, SafetensorsFile f) {
        String s = f.metadata().get("step");
        if (s != null) {
            return Long.parseLong(s);
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("step_(\\d+)").matcher(file.getFileName().toString());
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    /** The {@code checkpoint} stage's verified {@code checkpoints/*.safetensors}, in step order. */
    private static List<Path> checkpoints(TaskContext ctx) throws IOException {
        if (ctx.inputs(CHECKPOINT_STAGE).isEmpty()) {
            throw new IllegalStateException(ctx.taskId() + ": no upstream '" + CHECKPOINT_STAGE + "' stage and no 'checkpoint' param; inputs are "
                    + ctx.inputs().stream().map(TaskInput::taskId).toList());
        }
        Path dir = ctx.input(CHECKPOINT_STAGE).dir().resolve(TrainTask.CHECKPOINTS);
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + ": no checkpoints/ folder in the output of " + ctx.input(CHECKPOINT_STAGE).taskId());
        }
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> files = s.filter(f -> f.toString().endsWith(".safetensors")).sorted().toList();
            if (files.isEmpty()) {
                throw new IOException(dir + ": no .safetensors checkpoints");
            }
            return files;
        }
    }
}
