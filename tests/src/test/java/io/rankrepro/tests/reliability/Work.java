package io.rankrepro.tests.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/** A work folder as the tests read it: published task outputs by task id, resume folders, staging leftovers. */
record Work(Path dir) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The published output folder of {@code taskId}, if any. */
    Optional<Path> output(String taskId) {
        return list(dir.resolve("tasks")).filter(t -> taskId.equals(manifest(t).path("taskId").asText())).findFirst();
    }

    JsonNode manifest(Path taskDir) {
        try {
            return JSON.readTree(taskDir.resolve("_task.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** file → sha256 of a published output, from its manifest. */
    Map<String, String> files(String taskId) {
        Map<String, String> files = new TreeMap<>();
        manifest(output(taskId).orElseThrow(() -> new AssertionError("no output of " + taskId + " in " + dir)))
                .get("files").fields().forEachRemaining(e -> files.put(e.getKey(), e.getValue().asText()));
        return files;
    }

    String runId(String taskId) {
        return manifest(output(taskId).orElseThrow()).path("mlflowRunId").asText();
    }

    /** The only task resume folder, if one exists. */
    Optional<Path> resumeFolder() {
        return list(dir.resolve("resume")).findFirst();
    }

    /** The newest snapshot in the resume folder, if any. */
    Optional<Path> snapshot() {
        return resumeFolder().flatMap(r -> list(r).filter(p -> p.getFileName().toString().startsWith("step_")).max(Path::compareTo));
    }

    static Stream<Path> list(Path d) {
        if (!Files.isDirectory(d)) {
            return Stream.empty();
        }
        try (Stream<Path> s = Files.list(d)) {
            return s.sorted().toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
