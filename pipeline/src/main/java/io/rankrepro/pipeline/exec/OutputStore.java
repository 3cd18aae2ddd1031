package io.rankrepro.pipeline.exec;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Task outputs on disk, addressed by task key: {@code <work>/tasks/<key>/} with a {@code _task.json}
 * manifest. A task writes into a private staging folder; only a finished, hashed folder is moved
 * into place (one atomic rename), so a killed task never leaves an output a later run accepts.
 */
public final class OutputStore {
    public static final String MANIFEST = "_task.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private final Path root;
    private final Path staging;
    /**
     * Keys this store has hashed and found intact, with every file's size and modification time
     * then: a later verify in the same process re-hashes only if one of them changed. A no-op rerun
     * of all specs asks for the same outputs several times (shared tasks, then the run records).
     */
    private final Map<String, Stamped> verified = new ConcurrentHashMap<>();

    private record Stamped(Verification result, Map<Path, FileStamp> stamps, long files) { }

    /** What a file looked like when it was hashed; the file key (inode) catches a replaced file. */
    private record FileStamp(long size, FileTime modified, Object fileKey) { }

    public OutputStore(Path workdir) {
        this.root = workdir.toAbsolutePath().normalize().resolve("tasks");
        this.staging = workdir.toAbsolutePath().normalize().resolve("staging");
    }

    public Path dir(String key) {
        return root.resolve(key);
    }

    /**
     * The resume folder of a task key, outside staging so that it outlives a killed task: its
     * checkpoints and tracking run, removed once the task's output is published.
     */
    public Path resumeDir(String key) {
        return root.resolveSibling("resume").resolve(key);
    }

    /** The lock file of a task key: whoever holds it computes that key ({@link TaskLock}). */
    public Path lockFile(String key) {
        return root.resolveSibling("locks").resolve(key + ".lock");
    }

    /**
     * The record of the output published for {@code key}, read without verifying its files (to
     * compare an old key's material with a new one's); empty when there is none.
     */
    public java.util.Optional<TaskRecord> record(String key) {
        Path manifest = dir(key).resolve(MANIFEST);
        try {
            return Files.isRegularFile(manifest) ? java.util.Optional.of(JSON.readValue(manifest.toFile(), TaskRecord.class))
                    : java.util.Optional.empty();
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    /** Remembers that task {@code taskId} of {@code experiment} at {@code profile} last published {@code key}. */
    public void remember(String experiment, String profile, String taskId, String key) throws IOException {
        Path f = latestFile(experiment, profile, taskId);
        Files.createDirectories(f.getParent());
        Path tmp = f.resolveSibling(f.getFileName() + "." + UUID.randomUUID() + ".tmp");
        Files.writeString(tmp, key);
        Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The key task {@code taskId} of {@code experiment} at {@code profile} last published, if any. */
    public java.util.Optional<String> latest(String experiment, String profile, String taskId) {
        try {
            Path f = latestFile(experiment, profile, taskId);
            return Files.isRegularFile(f) ? java.util.Optional.of(Files.readString(f).strip()) : java.util.Optional.empty();
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    /**
     * Key → the experiments whose tasks last published it (at any profile): who shares an output.
     * Read from the index in one pass, so a plan asks once for all its tasks.
     */
    public Map<String, java.util.SortedSet<String>> experimentsByKey() {
        Map<String, java.util.SortedSet<String>> out = new HashMap<>();
        Path index = root.resolveSibling("index");
        if (!Files.isDirectory(index)) {
            return out;
        }
        try (Stream<Path> files = Files.walk(index)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                if (!f.getFileName().toString().endsWith(".tmp")) {
                    Path rel = index.relativize(f); // <experiment>/<profile>/<task>
                    out.computeIfAbsent(Files.readString(f).strip(), k -> new java.util.TreeSet<>())
                            .add(rel.subpath(0, rel.getNameCount() - 2).toString().replace('\\', '/'));
                }
            }
        } catch (IOException | UncheckedIOException e) {
            return out;
        }
        return out;
    }

    private Path latestFile(String experiment, String profile, String taskId) {
        return root.resolveSibling("index").resolve(experiment).resolve(profile)
                .resolve(taskId.replaceAll("[^A-Za-z0-9._=,\\[\\]-]", "_"));
    }

    /** Where a work folder's runs spool metrics while the tracking server is unreachable. */
    public static Path spoolDir(Path workdir) {
        return workdir.toAbsolutePath().normalize().resolve("spool");
    }

    /**
     * What is on disk for {@code key}, checked file by file against its manifest: the first time
     * in this process by hashing every file, later by their sizes and times (see {@link #verified}).
     */
    public Verification verify(String key) {
        Stamped known = verified.get(key);
        if (known != null && known.stamps().equals(stamps(known.stamps().keySet())) && known.files() == countFiles(known.result().dir())) {
            return known.result();
        }
        verified.remove(key);
        Verification v = hashAndCompare(key);
        if (v.ok()) {
            remember(key, v);
        }
        return v;
    }

    /** Keeps {@code v} with its files' stamps, so that a later verify in this process need not re-hash them. */
    private void remember(String key, Verification v) {
        Set<Path> files = new HashSet<>();
        files.add(v.dir().resolve(MANIFEST));
        v.record().files().keySet().forEach(rel -> files.add(v.dir().resolve(rel)));
        Map<Path, FileStamp> stamps = stamps(files);
        if (stamps != null) {
            verified.put(key, new Stamped(v, stamps, files.size()));
        }
    }

    /** Regular files under {@code dir}, the manifest included; −1 when unreadable. */
    private static long countFiles(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).count();
        } catch (IOException | UncheckedIOException e) {
            return -1;
        }
    }

    /** Size and modification time per file, or null when one cannot be read. */
    private static Map<Path, FileStamp> stamps(Set<Path> files) {
        Map<Path, FileStamp> out = new HashMap<>();
        for (Path f : files) {
            try {
                BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                out.put(f, new FileStamp(a.size(), a.lastModifiedTime(), a.fileKey()));
            } catch (IOException e) {
                return null;
            }
        }
        return out;
    }

    private Verification hashAndCompare(String key) {
        return check(key, dir(key), rel -> dir(key).resolve(rel).toString());
    }

    /**
     * {@code dir} checked against the manifest in it, as an output of {@code key}: the manifest's
     * key, the number of files, every file's sha256. {@code shown} names a file (a path relative to
     * {@code dir}; "" for the folder itself) in the reason, so that a copy fetched from elsewhere
     * is named as its source, not as the staging folder it was fetched into.
     */
    static Verification check(String key, Path dir, java.util.function.Function<String, String> shown) {
        Path manifest = dir.resolve(MANIFEST);
        if (!Files.isDirectory(dir)) {
            return Verification.missing();
        }
        TaskRecord record;
        try {
            record = JSON.readValue(manifest.toFile(), TaskRecord.class);
        } catch (IOException e) {
            return Verification.corrupt(shown.apply(MANIFEST) + " unreadable: " + e.getMessage());
        }
        if (!key.equals(record.key())) {
            return Verification.corrupt(shown.apply(MANIFEST) + " belongs to key " + record.key());
        }
        try (Stream<Path> files = Files.walk(dir)) {
            long count = files.filter(Files::isRegularFile).filter(f -> !f.equals(manifest)).count();
            if (count != record.files().size()) {
                return Verification.corrupt(shown.apply("") + " holds " + count + " files, manifest lists " + record.files().size());
            }
        } catch (IOException e) {
            return Verification.corrupt(shown.apply("") + " unreadable: " + e.getMessage());
        }
        for (Map.Entry<String, String> f : record.files().entrySet()) {
            Path file = dir.resolve(f.getKey());
            try {
                if (!Files.isRegularFile(file)) {
                    return Verification.corrupt(shown.apply(f.getKey()) + " is missing");
                }
                String actual = Hashing.sha256(file);
                if (!actual.equals(f.getValue())) {
                    return Verification.corrupt(shown.apply(f.getKey()) + " has sha256 " + actual.substring(0, 12) + "…, manifest says "
                            + f.getValue().substring(0, 12) + "…");
                }
            } catch (IOException e) {
                return Verification.corrupt(shown.apply(f.getKey()) + " unreadable: " + e.getMessage());
            }
        }
        return Verification.verified(record, dir);
    }

    /** Writes {@code record} as a manifest file (what {@link #publish} puts beside the outputs, and what is uploaded with them). */
    public static void writeManifest(Path file, TaskRecord record) throws IOException {
        JSON.writeValue(file.toFile(), record);
    }

    /** A fresh private folder for a task to write into; the name carries our pid for cleanup. */
    public Path stage(String key) throws IOException {
        Files.createDirectories(staging);
        return Files.createDirectory(staging.resolve(key.substring(0, 16) + "-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID()));
    }

    /** A fresh private folder for the views of a task's inputs; named like a staging folder, so cleanup finds it. */
    public Path stageInputs(String key) throws IOException {
        Files.createDirectories(staging);
        return Files.createDirectory(staging.resolve(key.substring(0, 16) + "-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID() + "-inputs"));
    }

    /** Hashes every file in {@code staged}. */
    public static Map<String, String> hashFiles(Path staged) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(staged)) {
            for (Path f : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
                String rel = staged.relativize(f).toString().replace('\\', '/');
                if (!rel.equals(MANIFEST)) {
                    files.put(rel, Hashing.sha256(f));
                }
            }
        }
        return files;
    }

    /** Writes the manifest into {@code staged} and moves it into place, replacing a corrupt predecessor. */
    public Path publish(Path staged, TaskRecord record) throws IOException {
        Path tmpManifest = staged.resolve(MANIFEST + ".tmp");
        writeManifest(tmpManifest, record);
        Files.move(tmpManifest, staged.resolve(MANIFEST), StandardCopyOption.ATOMIC_MOVE);
        Path target = dir(record.key());
        Files.createDirectories(root);
        if (Files.exists(target)) {
            // A rejected (corrupt) output or a concurrent writer's: move it aside first, then drop it.
            Path aside = staging.resolve("replaced-" + UUID.randomUUID());
            Files.move(target, aside, StandardCopyOption.ATOMIC_MOVE);
            deleteTree(aside);
        }
        try {
            Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("work folder " + root + " and its staging folder must be on one file system", e);
        }
        // its files were hashed for the record just now: the verify that follows (and a warm worker's later ones) need not re-hash
        remember(record.key(), Verification.verified(record, target));
        return target;
    }

    /** Removes staging folders left by processes that no longer run (killed tasks). */
    public void cleanAbandoned() throws IOException {
        if (!Files.isDirectory(staging)) {
            return;
        }
        try (Stream<Path> dirs = Files.list(staging)) {
            for (Path d : (Iterable<Path>) dirs::iterator) {
                String[] parts = d.getFileName().toString().split("-");
                boolean alive = false;
                if (parts.length >= 2 && parts[1].matches("\\d+")) {
                    alive = ProcessHandle.of(Long.parseLong(parts[1])).map(ProcessHandle::isAlive).orElse(false);
                }
                if (!alive) {
                    deleteTree(d);
                }
            }
        }
    }

    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** The state of one key's outputs. */
    public record Verification(State state, String reason, TaskRecord record, Path dir) {
        public enum State { VERIFIED, MISSING, CORRUPT }

        static Verification verified(TaskRecord r, Path dir) {
            return new Verification(State.VERIFIED, "outputs verified", r, dir);
        }

        static Verification missing() {
            return new Verification(State.MISSING, "no outputs yet", null, null);
        }

        static Verification corrupt(String why) {
            return new Verification(State.CORRUPT, "outputs failed verification: " + why, null, null);
        }

        public boolean ok() {
            return state == State.VERIFIED;
        }
    }
}
