package io.rankrepro.tasks.task;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Reads and writes the {@code checks.json} file a figure task leaves in its output folder. */
public final class ClaimChecks {
    public static final String FILE_NAME = "checks.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ClaimChecks() { }

    public static void write(Path dir, List<ClaimCheck> checks) throws IOException {
        JSON.writeValue(dir.resolve(FILE_NAME).toFile(), checks);
    }

    /** The checks in {@code dir}, or an empty list when the task wrote none. */
    public static List<ClaimCheck> read(Path dir) throws IOException {
        Path file = dir.resolve(FILE_NAME);
        if (!Files.exists(file)) {
            return List.of();
        }
        return JSON.readValue(file.toFile(), new TypeReference<List<ClaimCheck>>() { });
    }
}
