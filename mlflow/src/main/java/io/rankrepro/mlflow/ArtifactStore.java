package io.rankrepro.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Run artifacts through the server's proxied artifact API ({@code --serve-artifacts}):
 * {@code PUT/GET /api/2.0/mlflow-artifacts/artifacts/<path>} and
 * {@code GET /api/2.0/mlflow-artifacts/artifacts?path=<dir>}. The Java client's own artifact
 * calls shell out to a Python {@code mlflow}, which task images do not carry.
 * Paths here are relative to the store's root, e.g. {@code 1/<run id>/artifacts/figures/a.png}.
 */
final class ArtifactStore {

    static final String API = "api/2.0/mlflow-artifacts/artifacts";
    private static final String PROXY_SCHEME = "mlflow-artifacts:";

    private final RestHttp http;
    private final ObjectMapper json = new ObjectMapper();

    ArtifactStore(RestHttp http) {
        this.http = http;
    }

    /**
     * The proxied store path of a run's artifact root. A run's {@code artifact_uri} reads
     * {@code mlflow-artifacts:/1/<run id>/artifacts} (or {@code mlflow-artifacts://host:port/...}, or an
     * http URL into the artifact API); anything else means the server does not proxy artifacts.
     */
    static String proxiedRoot(String artifactUri) {
        if (artifactUri.startsWith(PROXY_SCHEME)) {
            String rest = artifactUri.substring(PROXY_SCHEME.length());
            if (rest.startsWith("//")) {
                int slash = rest.indexOf('/', 2);
                rest = slash < 0 ? "" : rest.substring(slash);
            }
            return trimSlashes(rest);
        }
        int api = artifactUri.indexOf("/" + API + "/");
        if (artifactUri.startsWith("http") && api >= 0) {
            return trimSlashes(artifactUri.substring(api + API.length() + 2));
        }
        throw new TrackingException("run artifact URI '" + artifactUri + "' is not served by the tracking server;"
                + " start it with --serve-artifacts (make mlflow-up does) so artifacts go through its HTTP API");
    }

    /**
     * {@code dir} and {@code name} joined with '/', after checking both are relative paths without
     * '.' or '..' parts. {@code dir} may be empty (the root) or end in '/'.
     */
    static String join(String dir, String name) {
        String d = checkRelative(trimSlashes(dir == null ? "" : dir));
        String n = checkRelative(trimSlashes(name));
        return d.isEmpty() ? n : n.isEmpty() ? d : d + "/" + n;
    }

    void upload(String root, String relativePath, Path file) {
        http.upload(API + "/" + RestHttp.encodePath(join(root, relativePath)), file);
    }

    byte[] read(String root, String relativePath) {
        return http.get(API + "/" + RestHttp.encodePath(join(root, relativePath)));
    }

    /** Every file under {@code relativeDir} (recursively), as paths relative to {@code relativeDir}, sorted. */
    List<String> listFiles(String root, String relativeDir) {
        List<String> out = new ArrayList<>();
        collect(join(root, relativeDir), "", out);
        out.sort(Comparator.naturalOrder());
        return out;
    }

    /**
     * Downloads the file or folder {@code relativePath} into {@code destDir}: a folder's files keep
     * their paths below it, a file lands as {@code destDir/<its name>}. All goes to a temporary
     * sibling of {@code destDir} first, which then replaces it in one move, so a reader never sees a
     * half-downloaded folder. {@code destDir} must not exist or be empty.
     */
    void download(String root, String relativePath, Path destDir) {
        Path dest = destDir.toAbsolutePath().normalize();
        checkEmptyOrMissing(dest);
        List<String> files = listFiles(root, relativePath);
        Path tmp = dest.resolveSibling("." + dest.getFileName() + ".tmp-" + UUID.randomUUID());
        try {
            Files.createDirectories(tmp);
            if (files.isEmpty()) {
                // Listing a file (or nothing) gives no entries: fetch it as a file; a 404 says it is missing.
                String name = trimSlashes(relativePath);
                name = name.substring(name.lastIndexOf('/') + 1);
                if (name.isEmpty()) {
                    throw new TrackingException("no artifacts under the run's artifact root " + root);
                }
                http.download(API + "/" + RestHttp.encodePath(join(root, relativePath)), tmp.resolve(name));
            }
            for (String f : files) {
                Path target = tmp.resolve(f);
                Files.createDirectories(target.getParent());
                http.download(API + "/" + RestHttp.encodePath(join(join(root, relativePath), f)), target);
            }
            Files.deleteIfExists(dest);
            try {
                Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, dest);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("downloading artifacts into " + dest + " failed", e);
        } finally {
            deleteTree(tmp);
        }
    }

    private void collect(String dir, String prefix, List<String> out) {
        JsonNode files;
        try {
            files = json.readTree(http.get(API + "?path=" + RestHttp.encode(dir))).path("files");
        } catch (IOException e) {
            throw new TrackingException("unreadable artifact listing of " + dir + ": " + e.getMessage(), e);
        }
        for (JsonNode f : files) {
            // The server names entries relative to the listed folder; older ones gave the full path.
            String name = f.path("path").asText();
            name = name.substring(name.lastIndexOf('/') + 1);
            String rel = prefix.isEmpty() ? name : prefix + "/" + name;
            if (f.path("is_dir").asBoolean(false)) {
                collect(dir + "/" + name, rel, out);
            } else {
                out.add(rel);
            }
        }
    }

    private static void checkEmptyOrMissing(Path dest) {
        if (!Files.exists(dest)) {
            return;
        }
        try (Stream<Path> s = Files.list(dest)) {
            if (s.findAny().isPresent()) {
                throw new IllegalArgumentException("download target " + dest + " exists and is not empty");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String checkRelative(String path) {
        for (String part : path.split("/")) {
            if (part.equals(".") || part.equals("..") || part.contains("\\")) {
                throw new IllegalArgumentException("artifact path '" + path + "' must be relative, without '.' or '..'");
            }
        }
        return path;
    }

    private static String trimSlashes(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && s.charAt(from) == '/') {
            from++;
        }
        while (to > from && s.charAt(to - 1) == '/') {
            to--;
        }
        return s.substring(from, to);
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temporary folder is harmless
        }
    }
}
