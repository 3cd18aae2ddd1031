package io.rankrepro.tasks.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Where a long task keeps resumable snapshots, outside its staging folder so that they outlive a
 * killed process: {@code step_NNNNNNNNNNNN/} folders, each holding {@code state/} (what the task
 * needs to continue: weights, optimizer state, RNG state) and {@code outputs/} (what it had written
 * to its output folder by then), and a {@code snapshot.json} with every file's SHA-256. A snapshot is
 * written under a temporary name, fsync'd, then renamed: a crash mid-write leaves no snapshot a
 * rerun would accept. One that fails its hashes is reported by file name and never used.
 */
public final class ResumeFolder {
    private static final String MANIFEST = "snapshot.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ResumeFolder NONE = new ResumeFolder(null, s -> { });

    private final Path dir;
    private final Consumer<String> log;

    /** @param log where to say that a snapshot was rejected or used */
    public ResumeFolder(Path dir, Consumer<String> log) {
        this.dir = dir;
        this.log = log;
    }

    /** No resuming: nothing is saved, nothing restored. */
    public static ResumeFolder none() {
        return NONE;
    }

    public boolean enabled() {
        return dir != null;
    }

    /** A restored snapshot: continue after {@code step} with the files in {@code stateDir}. */
    public record Snapshot(long step, Path stateDir) { }

    /** Writes the task's state for continuing after {@code step}. */
    @FunctionalInterface
    public interface StateWriter {
        void write(Path stateDir) throws IOException;
    }

    /**
     * Whether a task continuing from {@code start} should snapshot before {@code step} of
     * {@code end}: every {@code every} steps strictly between the two (not at its own start, which
     * it just restored or began from, nor at the end, where the output is published instead).
     */
    public boolean due(long step, long start, long end, long every) {
        return dir != null && step > start && step < end && step % every == 0;
    }

    /** Whether any snapshot folder is present (verified or not). */
    public boolean hasSnapshots() {
        return !snapshots().isEmpty();
    }

    /**
     * The newest snapshot whose files verify, with its outputs copied into {@code outputDir}; a
     * snapshot that does not verify is named, removed and passed over for an older one.
     */
    public Optional<Snapshot> restore(Path outputDir) throws IOException {
        List<Path> all = snapshots();
        for (int i = all.size() - 1; i >= 0; i--) {
            Path snap = all.get(i);
            String problem = verify(snap);
            if (problem != null) {
                log.accept("resume snapshot rejected, not used: " + problem);
                deleteTree(snap);
                continue;
            }
            copyTree(snap.resolve("outputs"), outputDir);
            long step = JSON.readTree(snap.resolve(MANIFEST).toFile()).path("step").asLong();
            log.accept("resuming after step " + step + " from " + snap);
            return Optional.of(new Snapshot(step, snap.resolve("state")));
        }
        return Optional.empty();
    }

    /** Saves a snapshot for continuing after {@code step}: {@code outputDir}'s files so far and the state. */
    public void save(long step, Path outputDir, StateWriter state) throws IOException {
        save(step, outputDir, relative -> false, state);
    }

    /**
     * As {@link #save(long, Path, StateWriter)}, but the output files for which {@code writeOnce}
     * holds (their path relative to {@code outputDir}, '/'-separated) — files never changed once
     * written, like checkpoints — are hard-linked into the snapshot instead of copied, and their
     * hash is taken from the previous snapshot when it links the same file: a long training's
     * snapshots then cost its state, not every checkpoint so far again. Files that may still grow
     * (a loss log) must not match. Falls back to copying where linking is not possible.
     */
    public void save(long step, Path outputDir, Predicate<String> writeOnce, StateWriter state) throws IOException {
        if (dir == null) {
            return;
        }
        Files.createDirectories(dir);
        List<Path> previous = snapshots();
        Path prev = previous.isEmpty() ? null : previous.get(previous.size() - 1);
        Map<String, String> knownHashes = prev == null ? Map.of() : recordedHashes(prev);
        Path tmp = Files.createDirectory(dir.resolve(".tmp-" + UUID.randomUUID()));
        copyTree(outputDir, tmp.resolve("outputs"), writeOnce);
        Files.createDirectories(tmp.resolve("state"));
        state.write(tmp.resolve("state"));
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(tmp)) {
            for (Path f : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
                String name = tmp.relativize(f).toString().replace('\\', '/');
                String known = knownHashes.get(name); // non-null only when there is a previous snapshot
                if (known != null && Files.exists(prev.resolve(name)) && Files.isSameFile(prev.resolve(name), f)) {
                    files.put(name, known); // the same linked file as in the previous snapshot: hashed and synced then
                } else {
                    files.put(name, sha256(f));
                    fsync(f);
                }
            }
        }
        Map<String, Object> manifest = Map.of("step", step, "files", files);
        Files.write(tmp.resolve(MANIFEST), JSON.writeValueAsBytes(manifest));
        fsync(tmp.resolve(MANIFEST));
        Path target = dir.resolve(String.format(java.util.Locale.ROOT, "step_%012d", step));
        if (Files.exists(target)) {
            deleteTree(target);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        fsync(dir);
        for (Path older : snapshots()) {
            if (!older.equals(target)) {
                deleteTree(older);
            }
        }
    }

    /** file → sha256 as a snapshot's manifest records them (empty if unreadable). */
    private static Map<String, String> recordedHashes(Path snap) {
        Map<String, String> out = new TreeMap<>();
        try {
            JSON.readTree(snap.resolve(MANIFEST).toFile()).path("files").fields()
                    .forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        } catch (IOException e) {
            return Map.of();
        }
        return out;
    }

    /** Why {@code snap} cannot be used (naming the file), or null. */
    private static String verify(Path snap) {
        Path manifest = snap.resolve(MANIFEST);
        JsonNode m;
        try {
            m = JSON.readTree(manifest.toFile());
        } catch (IOException e) {
            return manifest + " is unreadable: " + e.getMessage();
        }
        List<String> listed = new ArrayList<>();
        for (var it = m.path("files").fields(); it.hasNext(); ) {
            var e = it.next();
            Path f = snap.resolve(e.getKey());
            listed.add(e.getKey());
            try {
                if (!Files.isRegularFile(f)) {
                    return f + " is missing";
                }
                String actual = sha256(f);
                if (!actual.equals(e.getValue().asText())) {
                    return f + " has sha256 " + actual.substring(0, 12) + "…, the snapshot recorded "
                            + e.getValue().asText().substring(0, Math.min(12, e.getValue().asText().length())) + "…";
                }
            } catch (IOException ex) {
                return f + " is unreadable: " + ex.getMessage();
            }
        }
        return listed.isEmpty() ? manifest + " lists no files" : null;
    }

    private List<Path> snapshots() {
        if (dir == null || !Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches("step_\\d{12}")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        copyTree(from, to, relative -> false);
    }

    /** Copies {@code from} into {@code to}, hard-linking the files {@code link} accepts (copying if linking fails). */
    private static void copyTree(Path from, Path to, Predicate<String> link) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path f : (Iterable<Path>) walk::iterator) {
                String relative = from.relativize(f).toString().replace('\\', '/');
                Path target = to.resolve(relative);
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else if (!(link.test(relative) && linked(f, target))) {
                    Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static boolean linked(Path existing, Path link) {
        try {
            Files.deleteIfExists(link);
            Files.createLink(link, existing);
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false; // e.g. another file system: copy instead
        }
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path f : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(f);
            }
        }
    }

    private static void fsync(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p, Files.isDirectory(p) ? StandardOpenOption.READ : StandardOpenOption.WRITE)) {
            ch.force(true);
        } catch (IOException e) {
            if (!Files.isDirectory(p)) {
                throw e; // some file systems cannot sync a directory; files must be synced
            }
        }
    }

    private static String sha256(Path f) throws IOException {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            try (var in = Files.newInputStream(f)) {
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) {
                    d.update(buf, 0, n);
                }
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
