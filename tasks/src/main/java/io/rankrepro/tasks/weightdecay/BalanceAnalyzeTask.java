package io.rankrepro.tasks.weightdecay;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rankrepro.tasks.io.SafetensorsFile;
import io.rankrepro.tasks.io.Table;
import io.rankrepro.tasks.rank.CheckpointLayout;
import io.rankrepro.tasks.task.Contract;
import io.rankrepro.tasks.task.Default;
import io.rankrepro.tasks.task.ParamCheck;
import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code balance/analyze}: for every layer and head of a checkpoint, the Frobenius side
 * ½(‖W_Q^h‖² + ‖W_K^h‖²) against the nuclear side ‖W_K^hᵀ W_Q^h‖_*, and the same for (P^h, W_V^h)
 * ({@link HeadBalance}), for any {@link CheckpointLayout}: ours, GPT-2, or LLaMA
 * ({@code model.layers.{l}.self_attn.{q,k,v,o}_proj.weight}).
 *
 * <p>Params: {@link Config}. Reads the first (initialization) and last {@code checkpoints/} of its
 * upstream {@code checkpoint} stage ({@code all_checkpoints: true} for every one), or — standalone,
 * with no upstream — param {@code checkpoint}: a {@code .safetensors} file or a folder of shards
 * ({@link CheckpointFiles}), whose files are hashed into the task key; param {@code heads} when the
 * file does not record its head count (LLaMA-2-7B: 32).
 * Writes {@code balance.csv} (step, layer, head, product, frobenius_side, nuclear_side, gap,
 * relative_gap, imbalance) and {@code source.json}.
 */
public final class BalanceAnalyzeTask implements Task {
    public static final String TABLE = "balance.csv";
    public static final String SOURCE = "source.json";

    @Override
    public String kind() {
        return "balance/analyze";
    }

    /**
     * @param checkpoint      standalone: a {@code .safetensors} file or a folder of shards to analyse
     *                        instead of the upstream checkpoints (null: the upstream {@code checkpoint} stage's)
     * @param heads           the head count when the file does not record it (0 = read it from the checkpoint)
     * @param allCheckpoints  every upstream checkpoint instead of the first and the last
     */
    public record Config(@Default("null") String checkpoint, @Default("0") int heads, @Default("false") boolean allCheckpoints) {
        public Config {
            ParamCheck.require(heads >= 0 && heads <= 4096, "heads", "must be in [0, 4096] (0 = read from the checkpoint), got " + heads);
            if (checkpoint != null) {
                ParamCheck.require(!checkpoint.isBlank(), "checkpoint", "must be a .safetensors file or a folder of shards");
                ParamCheck.require(Files.exists(Path.of(checkpoint)), "checkpoint", checkpoint + " does not exist");
            }
        }
    }

    private static final Contract CONTRACT = Contract.of(Config.class)
            .readsIfPresent(CheckpointFiles.STAGE, CheckpointFiles.FOLDER)
            .external(c -> c.checkpoint() == null ? List.of() : CheckpointFiles.filesOf(Path.of(c.checkpoint())))
            .writes(TABLE, SOURCE)
            .build();

    @Override
    public Contract contract() {
        return CONTRACT;
    }

    @Override
    public void run(TaskContext ctx) throws Exception {
        Config c = ctx.params(Config.class);
        int heads = c.heads();
        List<Path> files;
        if (c.checkpoint() != null) {
            files = List.of(Path.of(c.checkpoint()));
        } else {
            List<Path> all = CheckpointFiles.upstream(ctx);
            files = c.allCheckpoints() || all.size() == 1 ? all : List.of(all.get(0), all.get(all.size() - 1));
        }
        CheckpointLayout layout = null;
        List<Long> steps = new ArrayList<>();
        try (Table.Writer w = Table.writer(ctx.outputDir().resolve(TABLE), "step", "layer", "head", "product", "frobenius_side",
                "nuclear_side", "gap", "relative_gap", "imbalance")) {
            for (int i = 0; i < files.size(); i++) {
                SafetensorsFile f = CheckpointFiles.readMerged(files.get(i));
                if (layout == null) {
                    layout = CheckpointLayout.detect(f, heads);
                }
                long step = stepOf(files.get(i), f);
                steps.add(step);
                double worst = 0;
                for (HeadBalance b : HeadBalance.of(layout, f, step)) {
                    w.row(b.step(), b.layer(), b.head(), b.product(), b.gap().frobeniusHalfSum(),
                            b.gap().nuclearNorm(), b.gap().gap(), b.gap().relativeGap(), b.gap().imbalance());
                    worst = Math.max(worst, b.gap().relativeGap());
                }
                ctx.tracker().logMetric("balance/max_relative_gap", worst, step);
                ctx.progress().update(i + 1, files.size(), "step " + step);
            }
        }
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("source", c.checkpoint() != null ? c.checkpoint() : "upstream train checkpoints");
        source.put("layout", layout.name());
        source.put("layers", layout.layers());
        source.put("heads", layout.heads());
        source.put("width", layout.width());
        source.put("steps", steps);
        source.put("sweep_point", ctx.sweepPoint());
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(ctx.outputDir().resolve(SOURCE).toFile(), source);
    }

    /** From the checkpoint's metadata, else its file name ({@code step_NNN}), else 0 (a foreign file). */
    static long stepOf(Path file, SafetensorsFile f) {
        String s = f.metadata().get("step");
        if (s != null) {
            return Long.parseLong(s);
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("step_(\\d+)").matcher(file.getFileName().toString());
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }
}
