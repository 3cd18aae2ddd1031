package io.rankrepro.tasks.toy;

import io.rankrepro.tasks.io.Table;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Named product paths in one wide CSV: {@code run,tau,kq[0],...,kq[d-1],vo[0],...,vo[d-1]}. */
public final class ProductPathTable {

    private ProductPathTable() { }

    public static void write(Map<String, ProductPath> paths, int dim, Path file) throws IOException {
        List<String> header = new ArrayList<>(List.of("run", "tau"));
        for (int i = 0; i < 2 * dim; i++) {
            header.add(ProductCoordinate.of(i, dim).label());
        }
        Table.Builder t = Table.builder(header.toArray(String[]::new));
        for (Map.Entry<String, ProductPath> e : paths.entrySet()) {
            ProductPath p = e.getValue();
            for (int i = 0; i < p.size(); i++) {
                Object[] row = new Object[2 + 2 * dim];
                row[0] = e.getKey();
                row[1] = p.tauAt(i);
                for (int c = 0; c < 2 * dim; c++) {
                    row[2 + c] = p.valueAt(i, c);
                }
                t.row(row);
            }
        }
        t.build().write(file);
    }

    /** The paths in file order; d is read from the header. */
    public static Map<String, ProductPath> read(Path file) throws IOException {
        Table t = Table.read(file);
        int coordinates = t.columns().size() - 2;
        List<String> run = t.strings("run");
        double[] tau = t.doubles("tau");
        double[][] columns = new double[coordinates][];
        for (int c = 0; c < coordinates; c++) {
            columns[c] = t.doubles(t.columns().get(2 + c));
        }
        Map<String, List<Integer>> rows = new LinkedHashMap<>();
        for (int i = 0; i < run.size(); i++) {
            rows.computeIfAbsent(run.get(i), k -> new ArrayList<>()).add(i);
        }
        Map<String, ProductPath> out = new LinkedHashMap<>();
        rows.forEach((name, idx) -> {
            double[] ts = new double[idx.size()];
            double[][] w = new double[idx.size()][coordinates];
            for (int k = 0; k < ts.length; k++) {
                ts[k] = tau[idx.get(k)];
                for (int c = 0; c < coordinates; c++) {
                    w[k][c] = columns[c][idx.get(k)];
                }
            }
            out.put(name, new ProductPath(ts, w));
        });
        return out;
    }
}
