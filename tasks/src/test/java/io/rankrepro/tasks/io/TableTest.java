package io.rankrepro.tasks.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TableTest {
    @TempDir
    Path dir;

    @Test
    void doublesRoundTripBitForBitInJavasShortestForm() throws IOException {
        double[] values = {0.1, 1.0 / 3, 1e-300, -0.0, 0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
                Double.MIN_VALUE, Double.MAX_VALUE, 4.9e-324, -123456.789e10, 1e22, 2.2250738585072014E-308};
        Table.Builder b = Table.builder("step", "loss");
        for (int i = 0; i < values.length; i++) {
            b.row((long) i * 1_000_000_007L, values[i]);
        }
        Path file = dir.resolve("loss.csv");
        b.build().write(file);

        List<String> lines = Files.readAllLines(file);
        assertEquals("step,loss", lines.get(0));
        for (int i = 0; i < values.length; i++) {
            assertEquals(Long.toString(i * 1_000_000_007L) + "," + Double.toString(values[i]), lines.get(i + 1),
                    "numbers are written exactly as Double.toString / Long.toString give them");
        }
        Table back = Table.read(file);
        double[] read = back.doubles("loss");
        for (int i = 0; i < values.length; i++) {
            assertEquals(Double.doubleToRawLongBits(values[i]), Double.doubleToRawLongBits(read[i]), "value " + values[i]);
        }
        assertEquals(3_000_000_021L, back.longs("step")[3]);
    }

    @Test
    void stringsWithCommasQuotesAndNewlinesAreQuotedAndReadBack() throws IOException {
        List<String> tricky = List.of("plain", "a,b", "say \"hi\"", "two\nlines", "cr\r\nlf", "", "trailing blank ",
                "λ = 1e-4, seed 2", "x + y (long label that is well over twenty-four characters)");
        Table.Builder b = Table.builder("task", "value");
        for (String s : tricky) {
            b.row(s, 1.5);
        }
        Path file = dir.resolve("t.csv");
        b.build().write(file);
        String text = Files.readString(file, StandardCharsets.UTF_8);
        assertTrue(text.startsWith("task,value\nplain,1.5\n\"a,b\",1.5\n\"say \"\"hi\"\"\",1.5\n\"two\nlines\",1.5\n"), text);
        assertTrue(text.contains("\nx + y (long label that is well over twenty-four characters),1.5\n"),
                "a value that needs no quoting is not quoted, however long: " + text);
        assertEquals(tricky, Table.read(file).strings("task"));
    }

    @Test
    void streamingWriterWritesTheSameBytesAsTheBuiltTable() throws IOException {
        Path a = dir.resolve("a.csv");
        Path b = dir.resolve("b.csv");
        Table.builder("layer", "name", "sigma").row(0, "KQ", 2.5).row(1, "P,V", 1e-300).build().write(a);
        try (Table.Writer w = Table.writer(b, "layer", "name", "sigma")) {
            w.row(0, "KQ", 2.5);
            w.row(1, "P,V", 1e-300);
        }
        assertEquals(Files.readString(a), Files.readString(b));
        assertEquals("layer,name,sigma\n0,KQ,2.5\n1,\"P,V\",1.0E-300\n", Files.readString(a));
    }

    @Test
    void anEmptyTableStillHasItsHeader() throws IOException {
        Path file = dir.resolve("empty.csv");
        Table.builder("step", "loss").build().write(file);
        assertEquals("step,loss\n", Files.readString(file));
        Table back = Table.read(file);
        assertEquals(List.of("step", "loss"), back.columns());
        assertEquals(0, back.size());
    }

    @Test
    void typedAccessAndFiltering() throws IOException {
        Path file = dir.resolve("ranks.csv");
        Files.writeString(file, "step,layer,product,value\n10,0,KQ,1.5\n10,1,PV,2.5\n\n20,0,KQ,3.5\n");
        Table t = Table.read(file);
        assertEquals(3, t.size(), "blank lines are skipped");
        assertArrayEquals(new long[] {10, 10, 20}, t.longs("step"));
        assertArrayEquals(new int[] {0, 1, 0}, t.ints("layer"));
        assertEquals(List.of("KQ", "PV", "KQ"), t.strings("product"));
        Table kq = t.where(r -> r.get("product").equals("KQ") && r.integer("step") == 20);
        assertArrayEquals(new double[] {3.5}, kq.doubles("value"));
        assertEquals(2.5, t.rows().get(1).number("value"));
    }

    @Test
    void aRaggedOrTruncatedFileIsRefusedNamingFileLineAndColumn() throws IOException {
        Path ragged = dir.resolve("ragged.csv");
        Files.writeString(ragged, "step,loss,gap\n1,0.5,0.1\n2,0.25\n");
        IOException e = assertThrows(IOException.class, () -> Table.read(ragged));
        assertTrue(e.getMessage().contains(ragged.toString()) && e.getMessage().contains("line 3")
                && e.getMessage().contains("missing column 'gap'"), e.getMessage());

        Path extra = dir.resolve("extra.csv");
        Files.writeString(extra, "step,loss\n1,0.5,9\n");
        Path trailingComma = dir.resolve("comma.csv");
        Files.writeString(trailingComma, "step,loss\n1,0.5,\n");
        assertThrows(IOException.class, () -> Table.read(trailingComma));
        e = assertThrows(IOException.class, () -> Table.read(extra));
        assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("extra value '9'"), e.getMessage());

        Path unterminated = dir.resolve("cut.csv");
        Files.writeString(unterminated, "task,value\nok,1\n\"cut off here,2\n");
        e = assertThrows(IOException.class, () -> Table.read(unterminated));
        assertTrue(e.getMessage().contains(unterminated.toString()) && e.getMessage().contains("line"), e.getMessage());

        Path empty = dir.resolve("nothing.csv");
        Files.writeString(empty, "");
        e = assertThrows(IOException.class, () -> Table.read(empty));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void aBadNumberOrMissingColumnNamesFileLineAndColumn() throws IOException {
        Path file = dir.resolve("loss.csv");
        Files.writeString(file, "step,loss\n1,0.5\n2,oops\n");
        Table t = Table.read(file);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.doubles("loss"));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("line 3")
                && e.getMessage().contains("column 'loss'") && e.getMessage().contains("'oops'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> t.doubles("gap"));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("no column 'gap'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> t.longs("loss"));
        assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("not an integer"), e.getMessage());
    }

    @Test
    void aRowOfTheWrongWidthOrALeadingBlankIsRefusedWhenBuilt() {
        assertThrows(IllegalArgumentException.class, () -> Table.builder("a", "b").row(1));
        assertThrows(IllegalArgumentException.class, () -> Table.builder("a").row(" x"));
    }
}
