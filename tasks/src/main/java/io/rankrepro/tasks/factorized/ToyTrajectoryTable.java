package io.rankrepro.tasks.factorized;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The factorized toy's trajectory as CSV: {@code step,loss,gap,imbalance,s1..sk}. Doubles are
 * written in Java's shortest round-trip form, so reading back gives the exact values.
 */
public final class ToyTrajectoryTable {
    public static final String FILE_NAME = "trajectory.csv";

    private ToyTrajectoryTable() { }

    public static void write(Path file, List<ToySnapshot> rows) throws IOException {
        int k = rows.isEmpty() ? 0 : rows.get(0).singularValues().length;
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            StringBuilder header = new StringBuilder("step,loss,gap,imbalance");
            for (int i = 1; i <= k; i++) {
                header.append(",s").append(i);
            }
            w.write(header.append('\n').toString());
            for (ToySnapshot r : rows) {
                StringBuilder line = new StringBuilder().append(r.step()).append(',').append(r.loss())
                        .append(',').append(r.gap()).append(',').append(r.imbalance());
                for (double s : r.singularValues()) {
                    line.append(',').append(s);
                }
                w.write(line.append('\n').toString());
            }
        }
    }

    public static List<ToySnapshot> read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).startsWith("step,loss,gap,imbalance")) {
            throw new IOException(file + ": not a trajectory table (header " + (lines.isEmpty() ? "missing" : lines.get(0)) + ")");
        }
        List<ToySnapshot> rows = new ArrayList<>(lines.size() - 1);
        for (int n = 1; n < lines.size(); n++) {
            String[] f = lines.get(n).split(",");
            double[] s = new double[f.length - 4];
            for (int i = 0; i < s.length; i++) {
                s[i] = Double.parseDouble(f[4 + i]);
            }
            rows.add(new ToySnapshot(Long.parseLong(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                    Double.parseDouble(f[3]), s));
        }
        return rows;
    }
}
