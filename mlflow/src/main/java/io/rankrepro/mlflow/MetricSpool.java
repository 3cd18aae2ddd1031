package io.rankrepro.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.mlflow.api.proto.Service.Metric;

/**
 * Metric points of one run that the tracking server could not take, kept on local disk until it can:
 * {@code <dir>/<runId>.jsonl}, one point a line, appended and fsync'd before the points leave
 * memory, so neither an outage nor a crash loses them. {@code <runId>.sent} counts how many of the
 * pending points have been delivered, so a replay cut short resumes where it stopped. Pending points
 * are the file's lines in order, de-duplicated by (key, step), first one kept — the order and the
 * de-duplication are stable under appends, which is what makes the count meaningful.
 */
public final class MetricSpool {
    private static final String SUFFIX = ".jsonl";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final Path sent;
    private final String runId;

    public MetricSpool(Path dir, String runId) {
        if (!runId.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException("not a run id: " + runId);
        }
        this.runId = runId;
        this.file = dir.resolve(runId + SUFFIX);
        this.sent = dir.resolve(runId + ".sent");
    }

    /** The runs with a spool file under {@code dir}, sorted. */
    public static List<String> runIds(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(SUFFIX))
                    .map(n -> n.substring(0, n.length() - SUFFIX.length())).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the metric spool " + dir, e);
        }
    }

    public String runId() {
        return runId;
    }

    public Path file() {
        return file;
    }

    public boolean exists() {
        return Files.exists(file);
    }

    /** Appends the points and forces them to disk. */
    public void append(List<Metric> points) {
        if (points.isEmpty()) {
            return;
        }
        StringBuilder lines = new StringBuilder();
        for (Metric m : points) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("key", m.getKey());
            // non-finite values as strings: JSON has no NaN
            line.put("value", Double.isFinite(m.getValue()) ? (Object) m.getValue() : Double.toString(m.getValue()));
            line.put("step", m.getStep());
            line.put("timestamp", m.getTimestamp());
            try {
                lines.append(JSON.writeValueAsString(line)).append('\n');
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        try {
            Files.createDirectories(file.getParent());
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                dropCutLine(ch);
                ch.position(ch.size());
                ByteBuffer buf = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the metric spool " + file + " (" + points.size()
                    + " points would be lost): " + e.getMessage(), e);
        }
    }

    /**
     * A crash mid-append leaves a last line without its newline; its points were never acknowledged.
     * Cut it off before appending, or the next points would be glued to it and lost with it.
     */
    private static void dropCutLine(FileChannel ch) throws IOException {
        long end = ch.size();
        ByteBuffer one = ByteBuffer.allocate(1);
        long keep = end;
        while (keep > 0) {
            one.clear();
            ch.read(one, keep - 1);
            if (one.get(0) == '\n') {
                break;
            }
            keep--;
        }
        if (keep < end) {
            ch.truncate(keep);
        }
    }

    /** The points not yet delivered, in the order they were logged, one per (key, step). */
    public List<Metric> pending() {
        List<Metric> all = distinct();
        int done = (int) Math.min(sentCount(), all.size());
        return List.copyOf(all.subList(done, all.size()));
    }

    /** Records that the first {@code n} of {@link #pending()} reached the server. */
    public void delivered(int n) {
        long total = sentCount() + n;
        try {
            Path tmp = sent.resolveSibling(sent.getFileName() + ".tmp");
            Files.writeString(tmp, Long.toString(total));
            Files.move(tmp, sent, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record replay progress in " + sent, e);
        }
        if (total >= distinct().size()) {
            delete();
        }
    }

    private void delete() {
        try {
            Files.deleteIfExists(file);
            Files.deleteIfExists(sent);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the replayed spool " + file, e);
        }
    }

    private long sentCount() {
        try {
            return Long.parseLong(Files.readString(sent).strip());
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("unreadable replay progress " + sent + ": " + e.getMessage(), e);
        }
    }

    private List<Metric> distinct() {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the metric spool " + file, e);
        }
        List<Metric> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            JsonNode n;
            try {
                n = JSON.readTree(line);
            } catch (IOException e) {
                if (i == lines.size() - 1) {
                    break; // a last line cut short by a crash mid-append: its points were never acknowledged
                }
                throw new IllegalStateException(file + " line " + (i + 1) + " is not a metric point: " + e.getMessage(), e);
            }
            String key = n.path("key").asText();
            long step = n.path("step").asLong();
            if (seen.add(key + "\u0000" + step)) {
                JsonNode v = n.path("value");
                out.add(Metric.newBuilder().setKey(key).setStep(step).setTimestamp(n.path("timestamp").asLong())
                        .setValue(v.isTextual() ? Double.parseDouble(v.asText()) : v.asDouble()).build());
            }
        }
        return out;
    }
}
