package io.rankrepro.tasks.toy;

import io.rankrepro.tasks.io.Table;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The greedy prediction as analyze writes it ({@code greedy.csv}, {@code greedy-weights.csv}) and reads back. */
public final class GreedyTables {

    private GreedyTables() { }

    public static void write(List<GreedyStage> stages, int dim, Path dir) throws IOException {
        Table.Builder t = Table.builder("stage", "tau", "loss", "coordinate", "sign", "value");
        Table.Builder weights = Table.builder("stage", "tau", "product", "index", "value");
        for (GreedyStage s : stages) {
            double[] w = s.w();
            String coordinate = s.coordinate() < 0 ? "none" : ProductCoordinate.of(s.coordinate(), dim).label();
            t.row(s.index(), s.tau(), s.loss(), coordinate, s.sign(), s.coordinate() < 0 ? 0.0 : w[s.coordinate()]);
            for (int i = 0; i < w.length; i++) {
                ProductCoordinate c = ProductCoordinate.of(i, dim);
                weights.row(s.index(), s.tau(), c.product(), c.index(), w[i]);
            }
        }
        t.build().write(dir.resolve(ToyFiles.GREEDY));
        weights.build().write(dir.resolve(ToyFiles.GREEDY_WEIGHTS));
    }

    /** The stages (deactivations are not stored, so they read back empty). */
    public static List<GreedyStage> read(Path dir, int dim) throws IOException {
        Table t = Table.read(dir.resolve(ToyFiles.GREEDY));
        Table weights = Table.read(dir.resolve(ToyFiles.GREEDY_WEIGHTS));
        double[] tau = t.doubles("tau");
        double[] loss = t.doubles("loss");
        double[] sign = t.doubles("sign");
        List<String> coordinate = t.strings("coordinate");
        double[] values = weights.doubles("value");
        List<GreedyStage> out = new ArrayList<>();
        for (int k = 0; k < tau.length; k++) {
            double[] w = new double[2 * dim];
            System.arraycopy(values, k * 2 * dim, w, 0, 2 * dim);
            out.add(new GreedyStage(k, tau[k], loss[k], flatIndex(coordinate.get(k), dim), (int) sign[k], w, new int[0]));
        }
        return out;
    }

    private static int flatIndex(String label, int dim) {
        if (label.equals("none")) {
            return -1;
        }
        String product = label.substring(0, label.indexOf('['));
        int index = Integer.parseInt(label.substring(label.indexOf('[') + 1, label.indexOf(']')));
        return new ProductCoordinate(product, index).flatIndex(dim);
    }
}
