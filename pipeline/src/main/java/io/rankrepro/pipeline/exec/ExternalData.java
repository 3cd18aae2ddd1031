package io.rankrepro.pipeline.exec;

import io.rankrepro.pipeline.plan.PlannedTask;
import io.rankrepro.tasks.task.Contract;
import io.rankrepro.tasks.task.ParamsBinding;
import io.rankrepro.tasks.task.TaskKinds;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The content hashes of the files outside the pipeline that a task reads (a real data set, a
 * checkpoint given by path), as its kind's contract names them: changing the data changes the
 * key. A file is hashed once per process while its size and modification time stay the same.
 */
public final class ExternalData {
    /** Nothing external (tests). */
    public static final ExternalData NONE = new ExternalData(null);

    private final TaskKinds kinds;
    private final Map<Path, Stamped> cache = new ConcurrentHashMap<>();

    private record Stamped(long size, long modified, String sha256) { }

    public ExternalData(TaskKinds kinds) {
        this.kinds = kinds;
    }

    /** File (as the contract names it) → SHA-256; a missing file is recorded as missing. */
    public Map<String, String> hashes(PlannedTask task) {
        Map<String, String> out = new TreeMap<>();
        if (kinds == null) {
            return out;
        }
        Contract contract = kinds.find(task.kind()).orElseThrow().contract();
        for (Path p : contract.external().apply(ParamsBinding.bind(contract.params(), task.params().asMap()))) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> walk = Files.walk(p)) {
                    walk.filter(Files::isRegularFile).sorted().forEach(f -> out.put(f.toString(), hash(f)));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + p, e);
                }
            } else {
                out.put(p.toString(), Files.isRegularFile(p) ? hash(p) : "missing");
            }
        }
        return out;
    }

    private String hash(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            Path abs = file.toAbsolutePath().normalize();
            Stamped s = cache.get(abs);
            if (s == null || s.size() != a.size() || s.modified() != a.lastModifiedTime().toMillis()) {
                s = new Stamped(a.size(), a.lastModifiedTime().toMillis(), Hashing.sha256(file));
                cache.put(abs, s);
            }
            return s.sha256();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot hash external data " + file, e);
        }
    }
}
