package io.rankrepro.tasks.inspect;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rankrepro.tasks.figures.Caption;
import io.rankrepro.tasks.task.Contract;
import io.rankrepro.tasks.task.Default;
import io.rankrepro.tasks.task.ParamCheck;
import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskContext;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code inspect}: every layer and head of any Hugging Face checkpoint (a folder with config.json and
 * model.safetensors or a sharded index, or one .safetensors file; layouts in {@link AttentionFamily}):
 * the spectra and rank metrics of KQ^h and PV^h, paper A's balance gap of each pair of factors, and
 * with {@code base} the perturbations ΔKQ^h, ΔPV^h and the products of the factor changes
 * ΔW_K^h ΔW_Q^hᵀ, ΔP^h ΔW_V^hᵀ (paper B's low-rank updates). The checkpoint files are hashed into the
 * task key ({@code external}). Writes {@link InspectTables#FILES}, {@code model.json} (the layout
 * read), {@code summary.txt} (the per-layer summary) and {@link InspectFigures#FILES}.
 */
public final class InspectTask implements Task {
    public static final String KIND = "inspect";
    public static final String MODEL = "model.json";
    public static final String SUMMARY = "summary.txt";

    @Override
    public String kind() {
        return KIND;
    }

    /**
     * @param checkpoint the model: a folder (config.json + model.safetensors or model.safetensors.index.json) or a .safetensors file
     * @param base       a checkpoint of the same layout (the model before fine-tuning, an earlier step), or null
     * @param heads      query heads, overriding config.json (0: from config.json)
     * @param kvHeads    key/value heads, overriding config.json (0: from config.json, else from k's shape)
     * @param layers     analyse the first this many layers (0: all of config.json's)
     * @param headDim    d_h, overriding config.json (0: config.json's head_dim, else d / H)
     * @param relTol     τ of the numerical rank #{σ_i > τ σ_max}
     */
    public record Config(String checkpoint, @Default("null") String base, @Default("0") int heads, @Default("0") int kvHeads,
                         @Default("0") int layers, @Default("0") int headDim, @Default("0.01") double relTol) {
        public Config {
            ParamCheck.require(checkpoint != null && !checkpoint.isBlank(), "checkpoint", "required: a model folder or .safetensors file");
            ParamCheck.require(Files.exists(Path.of(checkpoint)), "checkpoint", checkpoint + " does not exist");
            ParamCheck.require(base == null || Files.exists(Path.of(base)), "base", base + " does not exist");
            ParamCheck.require(heads >= 0 && heads <= 4096, "heads", "must be in [0, 4096], got " + heads);
            ParamCheck.require(kvHeads >= 0 && kvHeads <= 4096, "kv_heads", "must be in [0, 4096], got " + kvHeads);
            ParamCheck.require(layers >= 0 && layers <= 4096, "layers", "must be in [0, 4096], got " + layers);
            ParamCheck.require(headDim >= 0 && headDim <= 65536, "head_dim", "must be in [0, 65536], got " + headDim);
            ParamCheck.range("rel_tol", relTol, 0, 0.999);
        }
    }

    private static final Contract CONTRACT = Contract.of(Config.class)
            .external(c -> {
                List<Path> files = new ArrayList<>(MappedCheckpoint.files(Path.of(c.checkpoint())));
                if (c.base() != null) {
                    files.addAll(MappedCheckpoint.files(Path.of(c.base())));
                }
                return files;
            })
            .writes(InspectTables.FILES.toArray(String[]::new))
            .writes(MODEL, SUMMARY)
            .writes(InspectFigures.FILES.toArray(String[]::new))
            .build();

    @Override
    public Contract contract() {
        return CONTRACT;
    }

    /** The opened model (and base) with their layout, every header and shape checked. */
    public record Opened(MappedCheckpoint model, MappedCheckpoint base, ModelLayout layout) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            model.close();
            if (base != null) {
                base.close();
            }
        }
    }

    /**
     * Opens and checks everything a run of {@code c} reads, computing nothing: the CLI calls it
     * first, so that bad input is a usage error (exit 2) with the file and tensor named, and nothing
     * is written.
     */
    public static Opened open(Config c) throws IOException {
        MappedCheckpoint model = MappedCheckpoint.open(Path.of(c.checkpoint()));
        MappedCheckpoint base = null;
        try {
            ModelConfig config = model.config().override(c.layers(), c.heads(), c.kvHeads(), c.headDim());
            ModelLayout layout = ModelLayout.detect(model, config);
            if (c.base() != null) {
                base = MappedCheckpoint.open(Path.of(c.base()));
                ModelLayout other = ModelLayout.detect(base, base.config().override(c.layers(), c.heads(), c.kvHeads(), c.headDim())
                        .override(layout.layers(), layout.heads(), layout.kvHeads(), layout.headDim()));
                if (!other.equals(layout)) {
                    throw new IOException(c.base() + ": the base's layout " + other + " differs from the model's " + layout
                            + "; --base needs two checkpoints of one architecture");
                }
            }
            return new Opened(model, base, layout);
        } catch (IOException | RuntimeException e) {
            model.close();
            if (base != null) {
                base.close();
            }
            throw e;
        }
    }

    @Override
    public void run(TaskContext ctx) throws Exception {
        Config c = ctx.params(Config.class);
        Path out = ctx.outputDir();
        try (Opened o = open(c); InspectTables tables = new InspectTables(out)) {
            ModelLayout layout = o.layout();
            boolean delta = o.base() != null;
            String title = "inspect " + Path.of(c.checkpoint()).getFileName() + (delta ? " against base " + Path.of(c.base()).getFileName() : "");
            InspectSummary summary = new InspectSummary(title, layout, delta);
            List<InspectedHead> all = new ArrayList<>();
            ModelInspection.run(layout, o.model(), o.base(), c.relTol(), (layer, rows) -> {
                tables.append(rows);
                summary.layer(layer, rows);
                all.addAll(rows);
                ctx.progress().update(layer + 1, layout.layers(), "layer " + layer);
            });
            double worst = all.stream().filter(r -> r.balance() != null && r.which().equals("current"))
                    .mapToDouble(r -> r.balance().relativeGap()).max().orElse(0);
            ctx.tracker().logMetric("inspect.max_relative_gap", worst, 0);
            ctx.tracker().logMetric("inspect.mean_stable_rank_kq", all.stream()
                    .filter(r -> r.product().equals("KQ") && r.which().equals("current")).mapToDouble(r -> r.metrics().stableRank()).average().orElse(0), 0);
            Files.write(out.resolve(SUMMARY), String.join("\n", summary.lines()).concat("\n").getBytes(StandardCharsets.UTF_8));
            Map<String, Object> model = new LinkedHashMap<>();
            model.put("checkpoint", c.checkpoint());
            model.put("base", c.base());
            model.put("family", layout.family().name().toLowerCase(java.util.Locale.ROOT));
            model.put("model_type", o.model().config().modelType());
            model.put("prefix", layout.prefix());
            model.put("layers", layout.layers());
            model.put("width", layout.width());
            model.put("heads", layout.heads());
            model.put("kv_heads", layout.kvHeads());
            model.put("head_dim", layout.headDim());
            new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(out.resolve(MODEL).toFile(), model);
            Caption caption = Caption.of(ctx.spec()).data(c.checkpoint() + (delta ? " against " + c.base() : ""));
            InspectFigures.write(out, caption, layout, all, delta);
        }
    }
}
