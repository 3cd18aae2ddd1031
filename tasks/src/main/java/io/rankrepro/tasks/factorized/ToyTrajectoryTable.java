package io.rankrepro.tasks.factorized;

import io.rankrepro.tasks.io.Table;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The factorized toy's trajectory as CSV: {@code step,loss,gap,imbalance,s1..sk}. Doubles are
 * written in Java's shortest round-trip form, so reading back gives the exact values.
 */
public final class ToyTrajectoryTable {
    public static final String FILE_NAME = "trajectory.csv";
    private static final String[] FIXED = {"step", "loss", "gap", "imbalance"};

    private ToyTrajectoryTable() { }

    public static void write(Path file, List<ToySnapshot> rows) throws IOException {
        int k = rows.isEmpty() ? 0 : rows.get(0).singularValues().length;
        List<String> columns = new ArrayList<>(List.of(FIXED));
        for (int i = 1; i <= k; i++) {
            columns.add("s" + i);
        }
        try (Table.Writer w = Table.writer(file, columns)) {
            for (ToySnapshot r : rows) {
                Object[] values = new Object[FIXED.length + r.singularValues().length];
                values[0] = r.step();
                values[1] = r.loss();
                values[2] = r.gap();
                values[3] = r.imbalance();
                for (int i = 0; i < r.singularValues().length; i++) {
                    values[FIXED.length + i] = r.singularValues()[i];
                }
                w.row(values);
            }
        }
    }

    public static List<ToySnapshot> read(Path file) throws IOException {
        Table t = Table.read(file);
        if (t.columns().size() < FIXED.length || !t.columns().subList(0, FIXED.length).equals(List.of(FIXED))) {
            throw new IOException(file + ": not a trajectory table (header " + t.columns() + ")");
        }
        int k = t.columns().size() - FIXED.length;
        List<ToySnapshot> rows = new ArrayList<>(t.size());
        for (Table.Row r : t.rows()) {
            double[] s = new double[k];
            for (int i = 0; i < k; i++) {
                s[i] = r.number(FIXED.length + i);
            }
            rows.add(new ToySnapshot(r.integer(0), r.number(1), r.number(2), r.number(3), s));
        }
        return rows;
    }
}
