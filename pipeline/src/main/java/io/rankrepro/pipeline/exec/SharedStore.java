package io.rankrepro.pipeline.exec;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A work folder's outputs backed by outputs other machines published ({@link PublishedOutputs}): a
 * key with no verified local output is fetched from the newest run that computed it, checked
 * exactly as a local output is (the manifest's key, the number of files, every file's sha256) and
 * against what that run recorded when it computed them ({@code rankrepro.outputs_sha256}), and
 * only then published into the local store — in one atomic move, so a half-fetched copy is never
 * seen. A copy that fails any check is named, dropped, and the next run with that key is tried;
 * when none verifies the task is computed again. Off ({@link #off}): the local store alone.
 */
public final class SharedStore {
    private final OutputStore local;
    private final PublishedOutputs remote;

    /** A verified output fetched into the local store from the run {@code runId}. */
    public record Fetched(OutputStore.Verification output, String runId, int files) {
        /** For the console: where it came from and what was checked. */
        public String summary() {
            return "fetched from run " + runId + ", verified " + files + " files";
        }
    }

    /** @param remote where outputs are fetched from; null for none */
    public SharedStore(OutputStore local, PublishedOutputs remote) {
        this.local = local;
        this.remote = remote;
    }

    public static SharedStore off(OutputStore local) {
        return new SharedStore(local, null);
    }

    public boolean enabled() {
        return remote != null;
    }

    public OutputStore local() {
        return local;
    }

    /**
     * The local output of {@code key} if it verifies, else the one fetched from the shared store
     * (under the key's {@link TaskLock}), else the local verification that failed.
     */
    public OutputStore.Verification verifyOrFetch(String key, String taskId, Consumer<String> say) throws IOException, InterruptedException {
        OutputStore.Verification v = local.verify(key);
        if (v.ok() || !enabled()) {
            return v;
        }
        return fetchLocked(key, taskId, say).map(Fetched::output).orElseGet(() -> local.verify(key));
    }

    /**
     * {@link #fetch} under the key's lock. Empty also when, the lock taken, the key turns out
     * published locally (by another run on this work folder): that is a reuse, not a fetch.
     */
    public Optional<Fetched> fetchLocked(String key, String taskId, Consumer<String> say) throws IOException, InterruptedException {
        if (!enabled()) {
            return Optional.empty();
        }
        try (TaskLock lock = TaskLock.acquire(local.lockFile(key), say)) {
            if (local.verify(key).ok()) {
                return Optional.empty();
            }
            return fetch(key, taskId, say);
        }
    }

    /**
     * Fetches {@code key} from the shared store into the local one; the caller holds the key's
     * {@link TaskLock}. Empty when no published copy verifies (each rejected one is said, naming
     * the run, the file and the hashes) or the shared store cannot be read.
     */
    public Optional<Fetched> fetch(String key, String taskId, Consumer<String> say) {
        if (!enabled()) {
            return Optional.empty();
        }
        List<PublishedOutputs.Publication> published;
        try {
            published = remote.of(key);
        } catch (RuntimeException e) {
            say.accept("shared store: cannot look up key " + key.substring(0, 12) + ": " + TaskRunner.message(e) + "; computing " + taskId);
            return Optional.empty();
        }
        int rejected = 0;
        for (PublishedOutputs.Publication p : published) {
            Optional<String> problem;
            java.nio.file.Path staged = null;
            try {
                staged = local.stage(key);
                problem = tryPublish(key, p, staged);
                if (problem.isEmpty()) {
                    staged = null; // moved into place
                    OutputStore.Verification v = local.verify(key);
                    return Optional.of(new Fetched(v, p.runId(), v.record().files().size()));
                }
            } catch (IOException | RuntimeException e) {
                problem = Optional.of("outputs cannot be fetched: " + TaskRunner.message(e));
            } finally {
                if (staged != null) {
                    try {
                        OutputStore.deleteTree(staged);
                    } catch (IOException ignored) {
                        // a staging folder: cleanAbandoned() removes it, and nothing accepts it
                    }
                }
            }
            rejected++;
            say.accept("shared store: " + remote.describe(p.runId()) + "'s " + problem.get() + "; not accepted");
        }
        if (rejected > 0) {
            say.accept("shared store: no published copy of key " + key.substring(0, 12) + " verifies (" + rejected
                    + " rejected); computing " + taskId + " again");
        }
        return Optional.empty();
    }

    /** Downloads {@code p} into {@code staged}, checks it, and publishes it locally; the reason it was rejected otherwise. */
    private Optional<String> tryPublish(String key, PublishedOutputs.Publication p, java.nio.file.Path staged) throws IOException {
        remote.download(p.runId(), staged);
        if (!java.nio.file.Files.isRegularFile(staged.resolve(OutputStore.MANIFEST))) {
            return Optional.of("outputs have no " + OutputStore.MANIFEST + " (published before manifests were uploaded?)");
        }
        OutputStore.Verification v = OutputStore.check(key, staged, rel -> rel.isEmpty() ? "outputs/" : "outputs/" + rel);
        if (!v.ok()) {
            return Optional.of(v.reason());
        }
        TaskRecord record = v.record();
        String files = Hashing.ofFiles(record.files());
        if (!files.equals(p.outputsSha256())) {
            return Optional.of("manifest lists files whose sha256 together is " + files.substring(0, 12) + "…, the run recorded "
                    + (p.outputsSha256() == null ? "none" : p.outputsSha256().substring(0, Math.min(12, p.outputsSha256().length())) + "…"));
        }
        if (!p.runId().equals(record.mlflowRunId())) {
            return Optional.of("manifest says run " + record.mlflowRunId() + " computed it");
        }
        local.publish(staged, record);
        return Optional.empty();
    }
}
