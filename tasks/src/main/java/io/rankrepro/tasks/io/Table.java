package io.rankrepro.tasks.io;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;

import java.io.Closeable;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A table of named columns and rows of values: the one form in which the tasks write and read CSV.
 *
 * <p>On disk it is RFC 4180 CSV through Jackson's {@link CsvMapper}: a header row, then one line per
 * row, {@code \n} line ends, UTF-8; a value is quoted only when it holds a comma, a quote or a line
 * break (a value may not begin with whitespace, which CSV readers drop). Values are formatted as they are added, with {@link String#valueOf(Object)}: a double is
 * written as {@link Double#toString(double)} and a long as {@link Long#toString(long)}, Java's shortest
 * round-trip forms, so a number read back with {@link #doubles} or {@link #longs} is bit for bit the one
 * written (NaN, infinities, -0.0 and subnormals included), and equal numbers give equal bytes whatever
 * the locale. Reading checks that every row has as many fields as the header and names the file, line
 * and column of anything that does not parse.
 */
public final class Table {
    private static final CsvMapper MAPPER = CsvMapper.builder()
            .enable(CsvGenerator.Feature.STRICT_CHECK_FOR_QUOTING)
            .enable(CsvParser.Feature.WRAP_AS_ARRAY)
            .enable(CsvParser.Feature.SKIP_EMPTY_LINES)
            .disable(CsvParser.Feature.ALLOW_TRAILING_COMMA)
            .build();

    private final String source;
    private final List<String> columns;
    private final List<Row> rows;
    private final Map<String, Integer> index;

    private Table(String source, List<String> columns, List<Row> rows) {
        this.source = source;
        this.columns = List.copyOf(columns);
        this.rows = List.copyOf(rows);
        this.index = new HashMap<>();
        for (int i = 0; i < this.columns.size(); i++) {
            if (index.putIfAbsent(this.columns.get(i), i) != null) {
                throw new IllegalArgumentException(where() + "column '" + this.columns.get(i) + "' appears twice in " + this.columns);
            }
        }
    }

    /** A table being built in memory, with these columns. */
    public static Builder builder(String... columns) {
        return builder(List.of(columns));
    }

    public static Builder builder(List<String> columns) {
        return new Builder(columns);
    }

    /** A table written row by row to {@code file} (header first), for tables too long to hold. */
    public static Writer writer(Path file, String... columns) throws IOException {
        return writer(file, List.of(columns));
    }

    public static Writer writer(Path file, List<String> columns) throws IOException {
        return new Writer(file, columns, false);
    }

    /**
     * A table a task writes as it goes, like {@link #writer}, or, when {@code resumed}, the same table
     * continued: the file a restored snapshot brought back keeps its rows, new rows are appended, and
     * its header must be {@code columns}.
     */
    public static Writer continued(Path file, boolean resumed, String... columns) throws IOException {
        if (!resumed) {
            return writer(file, columns);
        }
        List<String> header;
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             MappingIterator<String[]> it = MAPPER.readerFor(String[].class).readValues(r)) {
            header = it.hasNextValue() ? List.of(it.nextValue()) : List.of();
        }
        if (!header.equals(List.of(columns))) {
            throw new IOException(file + ": cannot continue a table with header " + header + " as " + List.of(columns));
        }
        return new Writer(file, List.of(columns), true);
    }

    /** The column names, in file order. */
    public List<String> columns() {
        return columns;
    }

    public List<Row> rows() {
        return rows;
    }

    public int size() {
        return rows.size();
    }

    public boolean hasColumn(String name) {
        return index.containsKey(name);
    }

    /** The position of a column; an {@link IllegalArgumentException} naming the file if there is none. */
    public int column(String name) {
        Integer i = index.get(name);
        if (i == null) {
            throw new IllegalArgumentException(where() + "no column '" + name + "' in " + columns);
        }
        return i;
    }

    public List<String> strings(String column) {
        int c = column(column);
        return rows.stream().map(r -> r.get(c)).toList();
    }

    public double[] doubles(String column) {
        int c = column(column);
        return rows.stream().mapToDouble(r -> r.number(c)).toArray();
    }

    public long[] longs(String column) {
        int c = column(column);
        return rows.stream().mapToLong(r -> r.integer(c)).toArray();
    }

    public int[] ints(String column) {
        int c = column(column);
        return rows.stream().mapToInt(r -> Math.toIntExact(r.integer(c))).toArray();
    }

    /** The rows that {@code keep} accepts, with the same columns (and source, for messages). */
    public Table where(Predicate<Row> keep) {
        return new Table(source, columns, rows.stream().filter(keep).toList());
    }

    public void write(Path file) throws IOException {
        try (Writer w = writer(file, columns)) {
            for (Row r : rows) {
                w.values(r.values);
            }
        }
    }

    public static Table read(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(r, file.toString());
        }
    }

    /** Reads CSV text; {@code source} names it in error messages. */
    public static Table read(Reader in, String source) throws IOException {
        List<Row> rows = new ArrayList<>();
        List<String> header = scan(in, source, rows::add);
        return new Table(source, header, rows);
    }

    /**
     * Hands each row of {@code file} to {@code each} as it is read, without holding the table: for long
     * tables of which a reader keeps a part. Returns the header.
     */
    public static List<String> forEach(Path file, Consumer<Row> each) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return scan(r, file.toString(), each);
        }
    }

    private static List<String> scan(Reader in, String source, Consumer<Row> each) throws IOException {
        List<String> header = null;
        try (MappingIterator<String[]> it = MAPPER.readerFor(String[].class).readValues(in)) {
            while (true) {
                String[] f;
                long line;
                try {
                    if (!it.hasNextValue()) {
                        break;
                    }
                    line = it.getCurrentLocation().getLineNr();
                    f = it.nextValue();
                } catch (JsonProcessingException e) {
                    throw new IOException(source + " line " + lineOf(e.getLocation()) + ": not valid CSV: " + e.getOriginalMessage(), e);
                }
                if (header == null) {
                    header = List.of(f);
                    continue;
                }
                if (f.length != header.size()) {
                    String detail = f.length < header.size()
                            ? "missing column '" + header.get(f.length) + "'" + (f.length + 1 < header.size() ? " and after" : "")
                            : "extra value '" + f[header.size()] + "' after column '" + header.get(header.size() - 1) + "'";
                    throw new IOException(source + " line " + line + " has " + f.length + " fields, header has "
                            + header.size() + " (" + detail + "): truncated or ragged file?");
                }
                each.accept(new Row(source, line, header, List.of(f)));
            }
        }
        if (header == null) {
            throw new IOException(source + " is empty (expected a CSV header)");
        }
        return header;
    }

    private static String lineOf(JsonLocation at) {
        return at == null ? "?" : String.valueOf(at.getLineNr());
    }

    private String where() {
        return source == null ? "" : source + ": ";
    }

    private static List<String> format(List<String> columns, Object[] values) {
        if (values.length != columns.size()) {
            throw new IllegalArgumentException("row has " + values.length + " values, columns are " + columns);
        }
        List<String> out = new ArrayList<>(values.length);
        for (Object v : values) {
            String s = String.valueOf(v);
            if (!s.isEmpty() && Character.isWhitespace(s.charAt(0))) {
                // Jackson's reader skips the leading blanks of a field, so such a value would not read back
                throw new IllegalArgumentException("a table value may not begin with whitespace: '" + s + "'");
            }
            out.add(s);
        }
        return out;
    }

    @Override
    public String toString() {
        return "Table" + (source == null ? "" : "(" + source + ")") + columns + " x " + rows.size();
    }

    /** One row: its values by column name or position, with the line it was read from for messages. */
    public static final class Row {
        private final String source;
        private final long line;
        private final List<String> columns;
        private final List<String> values;

        private Row(String source, long line, List<String> columns, List<String> values) {
            this.source = source;
            this.line = line;
            this.columns = columns;
            this.values = values;
        }

        public List<String> values() {
            return values;
        }

        public String get(int column) {
            return values.get(column);
        }

        public String get(String column) {
            return values.get(position(column));
        }

        public double number(String column) {
            return number(position(column));
        }

        public double number(int column) {
            String v = values.get(column);
            try {
                return Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(at(column) + ": '" + v + "' is not a number", e);
            }
        }

        public long integer(String column) {
            return integer(position(column));
        }

        public long integer(int column) {
            String v = values.get(column);
            try {
                return Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(at(column) + ": '" + v + "' is not an integer", e);
            }
        }

        private int position(String column) {
            int i = columns.indexOf(column);
            if (i < 0) {
                throw new IllegalArgumentException((source == null ? "" : source + ": ") + "no column '" + column + "' in " + columns);
            }
            return i;
        }

        private String at(int column) {
            return (source == null ? "" : source + " ") + (line > 0 ? "line " + line + " " : "") + "column '" + columns.get(column) + "'";
        }

        @Override
        public String toString() {
            return values.toString();
        }
    }

    /** Collects rows in memory; values are formatted as they are added. */
    public static final class Builder {
        private final List<String> columns;
        private final List<Row> rows = new ArrayList<>();

        private Builder(List<String> columns) {
            this.columns = List.copyOf(columns);
        }

        public Builder row(Object... values) {
            rows.add(new Row(null, 0, columns, List.copyOf(format(columns, values))));
            return this;
        }

        public Builder row(List<?> values) {
            return row(values.toArray());
        }

        public Table build() {
            return new Table(null, columns, rows);
        }
    }

    /** Writes a table row by row: the header when opened, each row as it comes. */
    public static final class Writer implements Closeable {
        private final Path file;
        private final List<String> columns;
        private final java.io.Writer out;
        private final SequenceWriter csv;

        private Writer(Path file, List<String> columns, boolean append) throws IOException {
            this.file = file;
            this.columns = List.copyOf(columns);
            CsvSchema.Builder schema = CsvSchema.builder();
            this.columns.forEach(schema::addColumn);
            this.out = append
                    ? Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND)
                    : Files.newBufferedWriter(file, StandardCharsets.UTF_8);
            try {
                // the header is written as a row of its own, so that a table without rows still has one
                this.csv = MAPPER.writer(schema.build().withoutHeader().withLineSeparator("\n")).writeValues(out);
                if (!append) {
                    csv.write(this.columns.toArray(String[]::new));
                }
            } catch (IOException | RuntimeException e) {
                out.close();
                throw e;
            }
        }

        /** One row; each value written as {@link String#valueOf(Object)} gives it. */
        public Writer row(Object... values) throws IOException {
            return values(format(columns, values));
        }

        private Writer values(List<String> values) throws IOException {
            csv.write(values.toArray(String[]::new));
            return this;
        }

        public Path file() {
            return file;
        }

        /** Pushes the rows written so far to the file (before a resume snapshot copies it, say). */
        public void flush() throws IOException {
            csv.flush();
        }

        @Override
        public void close() throws IOException {
            try (java.io.Writer o = out) {
                csv.close();
            }
        }
    }
}
