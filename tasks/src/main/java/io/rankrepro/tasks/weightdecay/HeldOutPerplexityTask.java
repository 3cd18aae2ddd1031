package io.rankrepro.tasks.weightdecay;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rankrepro.tasks.data.PreparedData;
import io.rankrepro.tasks.model.CausalDecoder;
import io.rankrepro.tasks.task.Contract;
import io.rankrepro.tasks.task.Default;
import io.rankrepro.tasks.task.ParamCheck;
import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskContext;
import io.rankrepro.tasks.train.TrainingData;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code lm/evaluate}: test perplexity of the final checkpoint of an upstream {@code transformer/train}
 * GPT (from the upstream {@code checkpoint} stage's {@code checkpoints/}) on the tail of its text
 * corpus ({@code prepare}'s {@code dataset.json}, {@code tokens.npz}) that training never saw
 * ({@code holdout_fraction}, read from the train task's {@code model.json}). The tail is cut into
 * consecutive non-overlapping windows of {@code context} predicted tokens (the first token of the
 * tail is only ever context), so each held-out token is predicted once. Writes {@code eval.json}
 * (test_nll, test_perplexity, tokens). Params: {@link Config}.
 */
public final class HeldOutPerplexityTask implements Task {
    public static final String FILE = "eval.json";

    @Override
    public String kind() {
        return "lm/evaluate";
    }

    /** @param batchSize windows per forward pass */
    public record Config(@Default("16") int batchSize) {
        public Config {
            ParamCheck.range("batch_size", batchSize, 1, 4096);
        }
    }

    private static final Contract CONTRACT = Contract.of(Config.class)
            .reads("prepare", PreparedData.MANIFEST, PreparedData.TOKENS)
            .reads("train", CheckpointFiles.MODEL)
            .reads(CheckpointFiles.STAGE, CheckpointFiles.FOLDER)
            .writes(FILE)
            .build();

    @Override
    public Contract contract() {
        return CONTRACT;
    }

    @Override
    public void run(TaskContext ctx) throws Exception {
        Config c = ctx.params(Config.class);
        ObjectMapper json = new ObjectMapper();
        Path dataDir = ctx.input("prepare").dir();
        JsonNode model = json.readTree(ctx.input("train").dir().resolve(CheckpointFiles.MODEL).toFile());
        double holdout = model.path("holdout_fraction").asDouble(0);
        if (!(holdout > 0)) {
            throw new IllegalStateException(ctx.taskId() + ": the model was trained on the whole corpus (holdout_fraction 0): no held-out text");
        }
        List<Path> ckpts = CheckpointFiles.upstream(ctx);
        Path last = ckpts.get(ckpts.size() - 1);
        PreparedData.Manifest manifest = PreparedData.manifest(dataDir);
        double[] all = PreparedData.arrays(dataDir, manifest).get("tokens").data();
        int start = TrainingData.heldOutStart(all.length, holdout);
        int batch = c.batchSize();

        Perplexity ppl = new Perplexity();
        try (NDManager manager = io.rankrepro.tasks.task.ComputeDevice.current().newManager()) {
            JniUtils.setGradMode(false); // evaluation only: no autograd graph (per thread; after the engine has loaded)
            CausalDecoder decoder = CheckpointedDecoder.load(CheckpointFiles.readMerged(last), manager);
            int context = decoder.config().context();
            List<long[]> windows = new ArrayList<>();
            for (int i = start; i + 1 < all.length; i += context) {
                int end = Math.min(i + context + 1, all.length);
                long[] w = new long[end - i];
                for (int k = 0; k < w.length; k++) {
                    w[k] = (long) all[i + k];
                }
                windows.add(w);
            }
            for (int b = 0; b < windows.size(); b += batch) {
                List<long[]> group = windows.subList(b, Math.min(b + batch, windows.size()));
                // full windows go together; a shorter final window goes alone
                List<long[]> full = group.stream().filter(w -> w.length == context + 1).toList();
                for (List<long[]> same : full.size() == group.size() ? List.of(group) : List.of(full, group.subList(full.size(), group.size()))) {
                    if (same.isEmpty()) {
                        continue;
                    }
                    evaluate(decoder, manager, same, ppl);
                }
                ctx.progress().update(Math.min(b + batch, windows.size()), windows.size(), String.format("ppl %.3f", ppl.value()));
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("checkpoint", last.getFileName().toString());
        out.put("holdout_fraction", holdout);
        out.put("test_tokens", ppl.tokens());
        out.put("test_nll", ppl.meanNll());
        out.put("test_perplexity", ppl.value());
        out.put("sweep_point", ctx.sweepPoint());
        json.writerWithDefaultPrettyPrinter().writeValue(ctx.outputDir().resolve(FILE).toFile(), out);
        ctx.tracker().logMetric("test/perplexity", ppl.value(), 0);
        ctx.tracker().logMetric("test/nll", ppl.meanNll(), 0);
    }

    private static void evaluate(CausalDecoder decoder, NDManager manager, List<long[]> windows, Perplexity ppl) {
        int len = windows.get(0).length;
        long[] ids = new long[windows.size() * len];
        for (int i = 0; i < windows.size(); i++) {
            System.arraycopy(windows.get(i), 0, ids, i * len, len);
        }
        try (NDManager step = manager.newSubManager()) {
            NDArray x = step.create(ids, new Shape(windows.size(), len));
            NDArray logits = decoder.logits(x.get(new NDIndex(":, 0:" + (len - 1))));
            ppl.add(logits.reshape(-1, logits.getShape().getLastDimension()), x.get(new NDIndex(":, 1:")).reshape(-1));
        }
    }
}
