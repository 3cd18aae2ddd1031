package io.rankrepro.pipeline.report;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Reads and writes {@code run.json} files, and finds them under a results folder. */
public final class RunSummaries {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            // Older or newer run.json files may carry fields this version does not know.
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private RunSummaries() { }

    public static void write(Path file, RunSummary summary) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        JSON.writeValue(tmp.toFile(), summary);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    public static RunSummary read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), RunSummary.class);
    }

    public static RunSummary read(byte[] json) throws IOException {
        return JSON.readValue(json, RunSummary.class);
    }

    /** Every {@code <experiment>/<profile>/run.json} under {@code results}, sorted by path. */
    public static List<Path> find(Path results) throws IOException {
        if (!Files.isDirectory(results)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(results)) {
            return walk.filter(p -> p.getFileName().toString().equals(RunSummary.FILE_NAME))
                    .filter(Files::isRegularFile).sorted().toList();
        }
    }
}
