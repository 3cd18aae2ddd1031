package io.rankrepro.tasks.train;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.Optional;

/**
 * A lower bound on the memory a {@code transformer/train} run needs, so that a spec whose model or
 * batch cannot fit is refused before any compute rather than after hours of swapping or an OOM
 * kill. float32; weights + gradients + two Adam moments, plus the activations autograd keeps per
 * layer (MLP, attention scores) for one batch. Deliberately low: a refusal must be certain.
 */
public record TrainingMemory(long parameters, long bytes) {
    private static final int FLOAT = 4;
    /** Bytes per parameter while training: weight, gradient, Adam's m and v. */
    private static final int TRAINING_COPIES = 4;
    /** Byte-level vocabularies here are 256; the embedding term matters only for tiny widths. */
    private static final long VOCAB = 256;

    /** The estimate for a training's model and batch. */
    public static TrainingMemory estimate(TrainTask.Config c) {
        return estimate(c.width(), c.heads(), c.layers(), c.mlpRatio(), c.batchSize(), c.context());
    }

    /** @param context the GPT window, or null when the training sets none (a ViT): then no activation term */
    public static TrainingMemory estimate(long width, long heads, long layers, long mlp, long batch, Integer context) {
        // attention (4 w²) and MLP (2·mlp·w²) per layer, plus embeddings
        double params = (double) layers * (4 + 2 * mlp) * width * width + 2.0 * VOCAB * width;
        double bytes = params * FLOAT * TRAINING_COPIES;
        if (context != null) {
            double tokens = (double) batch * context;
            double perLayer = tokens * width * (4 + mlp) + tokens * heads * context;
            bytes += perLayer * layers * FLOAT;
        }
        return new TrainingMemory((long) Math.min(params, Long.MAX_VALUE), (long) Math.min(bytes, Long.MAX_VALUE));
    }

    /** This machine's physical memory, when the JVM can tell. */
    public static Optional<Long> machineBytes() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long total = os.getTotalMemorySize();
            return total > 0 ? Optional.of(total) : Optional.empty();
        }
        return Optional.empty();
    }

    /** A problem line when the estimate exceeds this machine's {@code available} bytes, else empty. */
    public Optional<String> problem(long available) {
        return problem(available, "this machine");
    }

    /** A problem line when the estimate exceeds the {@code available} bytes of {@code where} (e.g. "GPU 0"), else empty. */
    public Optional<String> problem(long available, String where) {
        return problem(bytes, available, where);
    }

    /** The same line for any estimate in bytes. */
    public static Optional<String> problem(long bytes, long available, String where) {
        if (available < 0 || bytes <= available) {
            return Optional.empty();
        }
        return Optional.of(String.format(Locale.ROOT, "model and batch need at least %.1f GiB to train"
                + " (width, layers, mlp_ratio, batch_size, context), more than %s's %.1f GiB",
                bytes / GIB, where, available / GIB));
    }

    private static final double GIB = 1024.0 * 1024 * 1024;
}
