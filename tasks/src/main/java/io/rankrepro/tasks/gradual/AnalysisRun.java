package io.rankrepro.tasks.gradual;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rankrepro.tasks.rank.RankTables;
import io.rankrepro.tasks.task.TaskContext;
import io.rankrepro.tasks.task.TaskInput;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One trained-and-analysed branch as a figure sees it: its sweep point, the model it trained
 * ({@code model.json}) and its rank tables.
 */
record AnalysisRun(Map<String, Object> sweepPoint, Map<String, Object> model, List<LayerRow> byLayer, List<SpectrumRow> spectra) {

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

    /** Every analysed branch among the inputs, paired with its train task's model.json by sweep point. */
    static List<AnalysisRun> all(TaskContext ctx) throws IOException {
        List<AnalysisRun> runs = new ArrayList<>();
        for (TaskInput in : ctx.inputs()) {
            if (!Files.isRegularFile(in.dir().resolve(RankTables.BY_LAYER))) {
                continue;
            }
            Map<String, Object> model = null;
            for (TaskInput other : ctx.inputs()) {
                if (other.sweepPoint().equals(in.sweepPoint()) && Files.isRegularFile(other.dir().resolve("model.json"))) {
                    model = new ObjectMapper().readValue(other.dir().resolve("model.json").toFile(), Map.class);
                }
            }
            if (model == null) {
                throw new IllegalStateException("no model.json of a train task at sweep point " + in.sweepPoint());
            }
            runs.add(new AnalysisRun(in.sweepPoint(), model, readLayers(in.dir().resolve(RankTables.BY_LAYER)),
                    readSpectra(in.dir().resolve(RankTables.SPECTRA))));
        }
        if (runs.isEmpty()) {
            throw new IllegalStateException(ctx.taskId() + ": no rank/analyze outputs among its inputs");
        }
        return runs;
    }

    private static List<LayerRow> readLayers(Path f) throws IOException {
        List<LayerRow> rows = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(f)) {
            r.readLine();
            for (String line; (line = r.readLine()) != null; ) {
                String[] c = line.split(",");
                rows.add(new LayerRow(Long.parseLong(c[0]), Integer.parseInt(c[1]), c[2], c[3], c[4],
                        Double.parseDouble(c[5]), Double.parseDouble(c[6])));
            }
        }
        return rows;
    }

    private static List<SpectrumRow> readSpectra(Path f) throws IOException {
        List<SpectrumRow> rows = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(f)) {
            r.readLine();
            for (String line; (line = r.readLine()) != null; ) {
                String[] c = line.split(",");
                if (!c[4].equals("current")) { // figures use delta and init spectra only
                    rows.add(new SpectrumRow(Long.parseLong(c[0]), Integer.parseInt(c[1]), Integer.parseInt(c[2]), c[3], c[4],
                            Integer.parseInt(c[5]), Double.parseDouble(c[6])));
                }
            }
        }
        return rows;
    }
}
