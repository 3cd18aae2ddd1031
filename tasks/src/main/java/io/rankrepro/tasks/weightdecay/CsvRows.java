package io.rankrepro.tasks.weightdecay;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** A small comma-separated table with a header row (the tidy CSVs our tasks write; no quoting). */
public record CsvRows(List<String> header, List<Map<String, String>> rows) {

    public static CsvRows read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        if (lines.isEmpty()) {
            throw new IOException(file + " is empty; expected a header row");
        }
        List<String> header = List.of(lines.get(0).split(","));
        List<Map<String, String>> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            String[] f = lines.get(i).split(",", -1);
            if (f.length != header.size()) {
                throw new IOException(file + " line " + (i + 1) + " has " + f.length + " fields, header has " + header.size());
            }
            Map<String, String> row = new LinkedHashMap<>();
            for (int k = 0; k < f.length; k++) {
                row.put(header.get(k), f[k]);
            }
            rows.add(row);
        }
        return new CsvRows(header, List.copyOf(rows));
    }

    public CsvRows where(Predicate<Map<String, String>> keep) {
        return new CsvRows(header, rows.stream().filter(keep).toList());
    }

    public double[] doubles(String column) {
        return rows.stream().mapToDouble(r -> Double.parseDouble(r.get(column))).toArray();
    }

    public static double number(Map<String, String> row, String column) {
        String v = row.get(column);
        if (v == null) {
            throw new IllegalArgumentException("no column '" + column + "' in " + row.keySet());
        }
        return Double.parseDouble(v);
    }
}
