package io.rankrepro.tasks.gradual;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rankrepro.tasks.io.Table;
import io.rankrepro.tasks.linalg.SpectralMetrics;
import io.rankrepro.tasks.rank.RankTables;
import io.rankrepro.tasks.task.TaskContext;
import io.rankrepro.tasks.task.TaskInput;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One trained-and-analysed branch as a figure sees it: its sweep point, the model it trained
 * ({@code model.json} of stage {@code train}) and the one rank table of stage {@code analyze} the
 * figure reads ({@link Tables}); the other table is left empty.
 */
record AnalysisRun(Map<String, Object> sweepPoint, Map<String, Object> model, List<LayerRow> byLayer, List<SpectrumRow> spectra) {

    /** The stage names the figures' specs give rank/analyze and transformer/train. */
    static final String ANALYZE = "analyze";
    static final String TRAIN = "train";
    static final String MODEL = "model.json";
    /** The sweep axis of repetitions (transformer/train's seed_offset). */
    static final String SEED = "seed_offset";

    /** Which of rank/analyze's tables a figure reads (it declares exactly those in its contract). */
    enum Tables {
        /** {@link RankTables#BY_LAYER} only: {@code series} works, {@code spectrum} is empty. */
        BY_LAYER,
        /** {@link RankTables#SPECTRA} only: {@code spectrum} works, {@code series} is empty. */
        SPECTRA;

        String file() {
            return this == BY_LAYER ? RankTables.BY_LAYER : RankTables.SPECTRA;
        }
    }

    /** A row of ranks_by_layer.csv. */
    record LayerRow(long step, int layer, String product, String which, String metric, double mean, double std) { }

    /** A row of spectra.csv. */
    record SpectrumRow(long step, int layer, int head, String product, String which, int index, double sigma) { }

    String dataLabel() {
        return String.valueOf(model.get("data"));
    }

    int headWidth() {
        return Integer.parseInt(String.valueOf(model.get("width"))) / Integer.parseInt(String.valueOf(model.get("heads")));
    }

    int layers() {
        return Integer.parseInt(String.valueOf(model.get("layers")));
    }

    /** The run's {@code seed_offset} (0 when the spec does not sweep it): runs of one seed pair across conditions. */
    long seed() {
        Object s = sweepPoint.get(SEED);
        return s == null ? 0 : Long.parseLong(String.valueOf(s));
    }

    /** Stable rank ‖W‖_F²/‖W‖_2² of one head's product ({@code which}: delta or init) at the last checkpoint. */
    double finalStableRank(int layer, int head, String product, String which) {
        TreeMap<Long, double[]> s = spectrum(layer, head, product, which);
        if (s.isEmpty()) {
            throw new IllegalArgumentException("no " + which + " spectrum of " + product + " in layer " + (layer + 1) + ", head " + (head + 1));
        }
        return SpectralMetrics.of(s.lastEntry().getValue(), 0.01).stableRank();
    }

    /** The label of its network/data pair, e.g. {@code vit/sklearn-digits}: runs of one pair differ only by seed. */
    String pair() {
        return model.get("model") + "/" + model.get("dataset");
    }

    int heads() {
        return Integer.parseInt(String.valueOf(model.get("heads")));
    }

    double initScale() {
        return Double.parseDouble(String.valueOf(model.get("init_scale")));
    }

    /** step → (mean, std) of a metric of one layer/product/which. */
    TreeMap<Long, double[]> series(int layer, String product, String which, String metric) {
        TreeMap<Long, double[]> out = new TreeMap<>();
        for (LayerRow r : byLayer) {
            if (r.layer() == layer && r.product().equals(product) && r.which().equals(which) && r.metric().equals(metric)) {
                out.put(r.step(), new double[] {r.mean(), r.std()});
            }
        }
        return out;
    }

    /** step → singular values of one head's product. */
    TreeMap<Long, double[]> spectrum(int layer, int head, String product, String which) {
        TreeMap<Long, List<Double>> acc = new TreeMap<>();
        for (SpectrumRow r : spectra) {
            if (r.layer() == layer && r.head() == head && r.product().equals(product) && r.which().equals(which)) {
                acc.computeIfAbsent(r.step(), k -> new ArrayList<>()).add(r.sigma());
            }
        }
        TreeMap<Long, double[]> out = new TreeMap<>();
        acc.forEach((k, v) -> out.put(k, v.stream().mapToDouble(Double::doubleValue).toArray()));
        return out;
    }

    /** The one analysed branch of a chain (not a gather): its single {@code analyze} input and its single {@code train} input. */
    static AnalysisRun single(TaskContext ctx, Tables tables) throws IOException {
        return load(ctx.input(ANALYZE), ctx.input(TRAIN), tables);
    }

    /**
     * Every analysed branch of a gather: each {@code analyze} input, in plan order, paired with the
     * {@code train} input of the same sweep point.
     */
    static List<AnalysisRun> all(TaskContext ctx, Tables tables) throws IOException {
        List<TaskInput> trains = ctx.inputs(TRAIN);
        List<AnalysisRun> runs = new ArrayList<>();
        for (TaskInput in : ctx.inputs(ANALYZE)) {
            List<TaskInput> train = trains.stream().filter(t -> t.sweepPoint().equals(in.sweepPoint())).toList();
            if (train.size() != 1) {
                throw new IllegalStateException(ctx.taskId() + ": expects one '" + TRAIN + "' input at sweep point "
                        + in.sweepPoint() + " (that of " + in.taskId() + "), found " + train.size());
            }
            runs.add(load(in, train.get(0), tables));
        }
        if (runs.isEmpty()) {
            throw new IllegalStateException(ctx.taskId() + ": no '" + ANALYZE + "' (rank/analyze) inputs");
        }
        return runs;
    }

    @SuppressWarnings("unchecked")
    private static AnalysisRun load(TaskInput analyze, TaskInput train, Tables tables) throws IOException {
        Map<String, Object> model = new ObjectMapper().readValue(train.dir().resolve(MODEL).toFile(), Map.class);
        Path table = analyze.dir().resolve(tables.file());
        return new AnalysisRun(analyze.sweepPoint(), model,
                tables == Tables.BY_LAYER ? readLayers(table) : List.of(),
                tables == Tables.SPECTRA ? readSpectra(table) : List.of());
    }

    private static List<LayerRow> readLayers(Path f) throws IOException {
        List<LayerRow> rows = new ArrayList<>();
        Table.forEach(f, c -> rows.add(new LayerRow(c.integer("step"), Math.toIntExact(c.integer("layer")), c.get("product"),
                c.get("which"), c.get("metric"), c.number("mean"), c.number("std"))));
        return rows;
    }

    private static List<SpectrumRow> readSpectra(Path f) throws IOException {
        List<SpectrumRow> rows = new ArrayList<>();
        Table.forEach(f, c -> {
            if (!c.get("which").equals("current")) { // figures use delta and init spectra only
                rows.add(new SpectrumRow(c.integer("step"), Math.toIntExact(c.integer("layer")), Math.toIntExact(c.integer("head")),
                        c.get("product"), c.get("which"), Math.toIntExact(c.integer("index")), c.number("sigma")));
            }
        });
        return rows;
    }
}
