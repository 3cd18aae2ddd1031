package io.rankrepro.tasks.toy;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A tidy CSV table (header + rows, no quoting: values here are numbers and short labels).
 * Doubles are written with {@link Double#toString}, which round-trips exactly and does not depend
 * on the locale, so equal numbers give equal bytes.
 */
public record CsvTable(List<String> header, List<List<String>> rows) {

    public CsvTable {
        header = List.copyOf(header);
        rows = List.copyOf(rows);
    }

    public static Builder builder(String... header) {
        return new Builder(List.of(header));
    }

    public int column(String name) {
        int i = header.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("no column '" + name + "' in " + header);
        }
        return i;
    }

    public double[] doubles(String name) {
        int c = column(name);
        return rows.stream().mapToDouble(r -> Double.parseDouble(r.get(c))).toArray();
    }

    public List<String> strings(String name) {
        int c = column(name);
        return rows.stream().map(r -> r.get(c)).toList();
    }

    public void write(Path file) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write(String.join(",", header));
            w.write('\n');
            for (List<String> r : rows) {
                w.write(String.join(",", r));
                w.write('\n');
            }
        }
    }

    public static CsvTable read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            throw new IOException(file + " is empty (expected a CSV header)");
        }
        List<String> header = Arrays.asList(lines.get(0).split(",", -1));
        List<List<String>> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).isEmpty()) {
                continue;
            }
            List<String> r = Arrays.asList(lines.get(i).split(",", -1));
            if (r.size() != header.size()) {
                throw new IOException(file + " line " + (i + 1) + " has " + r.size() + " fields, header has " + header.size());
            }
            rows.add(r);
        }
        return new CsvTable(header, rows);
    }

    /** Collects rows; values are formatted as they are added. */
    public static final class Builder {
        private final List<String> header;
        private final List<List<String>> rows = new ArrayList<>();

        private Builder(List<String> header) {
            this.header = header;
        }

        public Builder row(Object... values) {
            if (values.length != header.size()) {
                throw new IllegalArgumentException("row has " + values.length + " values, header " + header);
            }
            List<String> r = new ArrayList<>(values.length);
            for (Object v : values) {
                String s = String.valueOf(v);
                if (s.contains(",") || s.contains("\n")) {
                    throw new IllegalArgumentException("CSV value may not contain ',' or newline: " + s);
                }
                r.add(s);
            }
            rows.add(r);
            return this;
        }

        public CsvTable build() {
            return new CsvTable(header, rows);
        }
    }
}
