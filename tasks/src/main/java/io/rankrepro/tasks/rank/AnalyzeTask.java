package io.rankrepro.tasks.rank;

import io.rankrepro.tasks.io.SafetensorsFile;
import io.rankrepro.tasks.io.SafetensorsReader;
import io.rankrepro.tasks.linalg.SpectralMetrics;
import io.rankrepro.tasks.task.Params;
import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskContext;
import io.rankrepro.tasks.task.TaskInput;
import io.rankrepro.tasks.train.TrainTask;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code rank/analyze}: per checkpoint, layer and head, the spectra and rank metrics of ΔKQ^h and
 * ΔPV^h (relative to the step-0 checkpoint) and of KQ^h, PV^h themselves; tables as
 * {@link RankTables}. Reads the {@code checkpoints/} of its upstream train task, or — standalone —
 * the file named by param {@code checkpoint} (any supported {@link CheckpointLayout}, e.g. a GPT-2
 * {@code model.safetensors}; param {@code heads} when the file does not record it).
 * Params: {@code rel_tol} (τ of the numerical rank, default 1e-2), {@code heads} (0 = from file).
 */
public final class AnalyzeTask implements Task {

    @Override
    public String kind() {
        return "rank/analyze";
    }

    @Override
    public List<String> validate(Params p) {
        List<String> problems = new ArrayList<>();
        try {
            double tol = p.getDouble("rel_tol", SpectralMetrics.DEFAULT_REL_TOL);
            if (!(tol >= 0 && tol < 1)) {
                problems.add("rel_tol: must be in [0, 1), got " + tol);
            }
            int heads = p.getInt("heads", 0);
            if (heads < 0 || heads > 4096) {
                problems.add("heads: must be in [0, 4096] (0 = read from the checkpoint), got " + heads);
            }
            if (p.has("checkpoint") && p.getString("checkpoint").isBlank()) {
                problems.add("checkpoint: must be a path to a .safetensors file");
            }
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        return problems;
    }

    @Override
    public void run(TaskContext ctx) throws IOException {
        Params p = ctx.params();
        double tol = p.getDouble("rel_tol", SpectralMetrics.DEFAULT_REL_TOL);
        int heads = p.getInt("heads", 0);
        List<Path> files = p.has("checkpoint") ? List.of(Path.of(p.getString("checkpoint"))) : checkpoints(ctx);
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
                boolean isInit = !p.has("checkpoint") && i == 0;
                if (isInit) {
                    init = f;
                    if (step != 0) {
                        throw new IOException(files.get(i) + " is step " + step + "; the first checkpoint must be the initialization (step 0)");
                    }
                }
                List<HeadSpectrum> rows = HeadRankAnalysis.analyze(layout, f, init, step, tol);
                for (RankTables.LayerSummary s : tables.append(rows)) {
                    if (s.metric().equals("stable_rank") && !s.which().equals("init")) {
                        ctx.tracker().logMetric("rank." + s.which() + "." + s.product() + ".L" + s.layer() + ".stable_rank", s.stats().mean(), step);
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

    private static List<TaskInput> reversed(List<TaskInput> in) {
        List<TaskInput> r = new ArrayList<>(in);
        java.util.Collections.reverse(r);
        return r;
    }

    /** The upstream {@code checkpoints/*.safetensors}, in step order. */
    private static List<Path> checkpoints(TaskContext ctx) throws IOException {
        // latest upstream first: checkpoint/verify's verified copies before the train task's originals
        for (TaskInput in : reversed(ctx.inputs())) {
            Path dir = in.dir().resolve(TrainTask.CHECKPOINTS);
            if (Files.isDirectory(dir)) {
                try (Stream<Path> s = Files.list(dir)) {
                    List<Path> files = s.filter(f -> f.toString().endsWith(".safetensors")).sorted().toList();
                    if (files.isEmpty()) {
                        throw new IOException(dir + ": no .safetensors checkpoints");
                    }
                    return files;
                }
            }
        }
        throw new IllegalStateException(ctx.taskId() + ": no upstream checkpoints/ folder and no 'checkpoint' param; inputs are "
                + ctx.inputs().stream().map(TaskInput::taskId).toList());
    }
}
