package io.rankrepro.pipeline.cli;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.rankrepro.pipeline.exec.ConsoleProgress;
import io.rankrepro.pipeline.exec.OutputStore;
import io.rankrepro.pipeline.exec.TaskKeys;
import io.rankrepro.pipeline.exec.TaskRunner;
import io.rankrepro.pipeline.plan.Plan;
import io.rankrepro.pipeline.plan.PlannedTask;
import io.rankrepro.pipeline.plan.Planner;
import io.rankrepro.pipeline.spec.SpecLoader;
import io.rankrepro.pipeline.track.Tracking;
import io.rankrepro.tasks.inspect.InspectTask;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code rankrepro inspect PATH}: the {@code inspect} task kind on one checkpoint, run as the
 * executor runs any task (keyed by the checkpoint's content, cached in --workdir, tracked in MLflow
 * under experiment {@code inspect/<name>}), its outputs copied to --out and its per-layer summary
 * printed. Every file, header and shape is checked first: bad input is exit 2, nothing written.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"Analyse the attention of any Hugging Face checkpoint, head by head: spectra and stable,",
                "numerical and effective rank of W_K^h W_Q^hT and P^h W_V^hT, and paper A's balance gap; with --base,",
                "the rank of the difference to a base model (fine-tuning delta, paper B).",
                "PATH: a folder with config.json and model.safetensors or model.safetensors.index.json, or a .safetensors file."})
final class InspectCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "PATH", description = "The model: a Hugging Face folder or a .safetensors file")
    Path checkpoint;

    @Option(names = "--base", paramLabel = "PATH", description = "A checkpoint of the same architecture to take differences against")
    Path base;

    @Option(names = "--heads", paramLabel = "N", description = "Query heads (default: config.json's)")
    int heads;

    @Option(names = "--kv-heads", paramLabel = "N", description = "Key/value heads (default: config.json's, else from the shapes)")
    int kvHeads;

    @Option(names = "--layers", paramLabel = "N", description = "Analyse the first N layers (default: all)")
    int layers;

    @Option(names = "--head-dim", paramLabel = "N", description = "Head width d_h (default: config.json's head_dim, else d / H)")
    int headDim;

    @Option(names = "--out", paramLabel = "DIR", description = "Where the tables and figures go (default: results/inspect/<name>)")
    Path out;

    @Mixin WorkOptions work;
    @Mixin TrackingOptions trackingOptions;

    @Override
    public Integer call() throws Exception {
        InspectTask.Config config;
        try {
            config = new InspectTask.Config(checkpoint.toAbsolutePath().normalize().toString(),
                    base == null ? null : base.toAbsolutePath().normalize().toString(), heads, kvHeads, layers, headDim, 0.01);
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
        try (InspectTask.Opened ignored = InspectTask.open(config)) {
            // everything read is checked before anything is written
        } catch (IOException e) {
            throw new UsageError(e.getMessage());
        }
        String name = checkpoint.toAbsolutePath().normalize().getFileName().toString().replaceAll("\\.safetensors$", "");
        Path target = out != null ? out : Path.of("results", "inspect", name);
        WorkspacePaths.writable("--workdir", work.workdir);

        Map<String, Object> params = new LinkedHashMap<>();
        params.put("checkpoint", config.checkpoint());
        if (config.base() != null) {
            params.put("base", config.base());
        }
        for (Map.Entry<String, Integer> e : Map.of("heads", heads, "kv_heads", kvHeads, "layers", layers, "head_dim", headDim).entrySet()) {
            if (e.getValue() != 0) {
                params.put(e.getKey(), e.getValue());
            }
        }
        Map<String, Object> spec = new LinkedHashMap<>();
        // an experiment id is lower case [a-z0-9_-]: all-MiniLM-L6-v2 → inspect/all-minilm-l6-v2
        String slug = name.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_-]+", "-").replaceAll("^[^a-z0-9]+", "");
        spec.put("id", "inspect/" + (slug.isEmpty() ? "model" : slug));
        spec.put("title", "Attention of " + name + (base == null ? "" : " against " + base.getFileName()));
        spec.put("data", config.checkpoint());
        spec.put("stages", List.of(Map.of("name", "inspect", "kind", InspectTask.KIND, "params", params)));
        byte[] yaml = new YAMLMapper().writeValueAsBytes(spec);
        Plan plan = new Planner(Commands.kinds()).plan(SpecLoader.parse("rankrepro inspect " + checkpoint, yaml), "cpu", Map.of());
        PlannedTask task = plan.tasks().get(0);
        TaskKeys keys = Commands.keys(plan);
        OutputStore store = new OutputStore(work.workdir);
        OutputStore.Verification v = store.verify(keys.key(task.id()));
        if (v.ok()) {
            System.out.printf("≡ inspect skipped: %s (key %s)%n", v.reason(), keys.key(task.id()).substring(0, 12));
        } else {
            try (Tracking tracking = Commands.tracking(trackingOptions, work.workdir)) {
                TaskRunner runner = new TaskRunner(Commands.kinds(), store, tracking, Commands.code(), Commands.runTags(), ConsoleProgress::forTask);
                long start = System.nanoTime();
                v = runner.run(plan, task, keys, null, null);
                System.out.printf("✔ inspect done in %.1fs%n", (System.nanoTime() - start) / 1e9);
                if (tracking.enabled() && v.record().mlflowRunId() != null) {
                    System.out.println("MLflow run: " + tracking.runUrl(v.record().mlflowRunId()));
                }
            }
        }
        Files.createDirectories(target);
        for (String file : v.record().files().keySet()) {
            Path dest = target.resolve(file);
            Files.createDirectories(dest.toAbsolutePath().getParent());
            Files.copy(v.dir().resolve(file), dest, StandardCopyOption.REPLACE_EXISTING);
        }
        System.out.println();
        System.out.print(Files.readString(target.resolve(InspectTask.SUMMARY)));
        System.out.println();
        System.out.println("tables and figures: " + target + " (ranks.csv, spectra.csv, balance.csv, inspect-heads.png, inspect-balance.png)");
        return 0;
    }
}
