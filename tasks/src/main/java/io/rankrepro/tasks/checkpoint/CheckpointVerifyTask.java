package io.rankrepro.tasks.checkpoint;

import io.rankrepro.tasks.io.NpzArray;
import io.rankrepro.tasks.io.NpzReader;
import io.rankrepro.tasks.io.SafetensorsReader;
import io.rankrepro.tasks.io.SafetensorsTensor;
import io.rankrepro.tasks.task.Contract;
import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskContext;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code checkpoint/verify}: takes the {@code checkpoints/*.npz} and {@code checkpoints/*.safetensors}
 * of its {@code train} input, parses each, checks every value is finite, copies them to its own
 * {@code checkpoints/} and writes {@link CheckpointManifest} ({@code checkpoints.json}) with their
 * steps, hashes and tensor shapes. Hashes are also tagged on the tracking run as
 * {@code checkpoint.<file name>.sha256}. Each verified copy is announced as written
 * ({@link io.rankrepro.mlflow.RunTracker#checkpointWritten}), so a tracked run uploads it while the next
 * is checked. A checkpoint that is unreadable, non-finite or has no
 * {@code step_%09d} in its name fails the task with a message naming the file.
 *
 * <p>Params: none ({@link Config}). Reads the {@code train} stage's {@code checkpoints/}.
 */
public final class CheckpointVerifyTask implements Task {
    public static final String KIND = "checkpoint/verify";
    public static final String DIR = "checkpoints";
    private static final Pattern STEP = Pattern.compile("step_(\\d{9})");
    /** MLflow's limit on tag keys. */
    private static final int MAX_TAG_KEY = 250;
    static final String TRAIN = "train";

    /** No params. */
    public record Config() { }

    private static final Contract CONTRACT = Contract.of(Config.class)
            .reads(TRAIN, DIR + "/")
            .writes(DIR + "/*.npz", DIR + "/*.safetensors", CheckpointManifest.FILE_NAME)
            .build();

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Contract contract() {
        return CONTRACT;
    }

    @Override
    public void run(TaskContext ctx) throws Exception {
        ctx.params(Config.class); // refuses any param
        Path source = ctx.input(TRAIN).dir().resolve(DIR);
        List<Path> files = checkpointFiles(source);
        if (files.isEmpty()) {
            throw new IOException(ctx.taskId() + ": no checkpoints/*.npz or checkpoints/*.safetensors in " + source);
        }
        Path target = Files.createDirectories(ctx.outputDir().resolve(DIR));
        List<CheckpointManifest.Checkpoint> verified = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            Path file = files.get(i);
            long step = step(file);
            // verify the copy we publish, so what is hashed and checked is exactly what is uploaded
            Path copy = Files.copy(file, target.resolve(file.getFileName().toString()));
            Map<String, List<Long>> shapes = verifiedShapes(file, copy);
            verified.add(new CheckpointManifest.Checkpoint(DIR + "/" + copy.getFileName(), step, sha256(copy),
                    Files.size(copy), shapes));
            ctx.tracker().checkpointWritten(copy); // final: its upload overlaps the next file's check
            ctx.progress().update(i + 1, files.size(), file.getFileName().toString());
        }
        CheckpointManifest manifest = new CheckpointManifest(verified);
        manifest.write(ctx.outputDir());

        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("checkpoint.count", Integer.toString(verified.size()));
        for (CheckpointManifest.Checkpoint c : manifest.checkpoints()) {
            tags.put(tagKey(Path.of(c.file()).getFileName().toString()), c.sha256());
        }
        ctx.tracker().setTags(tags);
    }

    /** Checkpoint files directly in {@code dir}, sorted by name. */
    static List<Path> checkpointFiles(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*.{npz,safetensors}")) {
            for (Path p : entries) {
                if (Files.isRegularFile(p)) {
                    out.add(p);
                }
            }
        }
        out.sort(null);
        return out;
    }

    static long step(Path file) throws IOException {
        Matcher m = STEP.matcher(file.getFileName().toString());
        if (!m.find()) {
            throw new IOException("checkpoint " + file + " has no step_%09d (e.g. step_000000100) in its name");
        }
        return Long.parseLong(m.group(1));
    }

    /** Tensor name → shape, after checking every value is finite; errors name {@code original}. */
    private static Map<String, List<Long>> verifiedShapes(Path original, Path copy) throws IOException {
        Map<String, List<Long>> shapes = new LinkedHashMap<>();
        String name = copy.getFileName().toString();
        try {
            if (name.endsWith(".npz")) {
                for (NpzArray a : NpzReader.read(copy).values()) {
                    requireFinite(original, a.name(), a.data());
                    shapes.put(a.name(), boxed(a.shape()));
                }
            } else {
                for (SafetensorsTensor t : SafetensorsReader.read(copy).tensors().values()) {
                    requireFinite(original, t.name(), t.data());
                    shapes.put(t.name(), boxed(t.shape()));
                }
            }
        } catch (NonFiniteCheckpointException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new IOException("checkpoint " + original + " is unreadable: " + e.getMessage(), e);
        }
        if (shapes.isEmpty()) {
            throw new IOException("checkpoint " + original + " holds no tensors");
        }
        return shapes;
    }

    private static void requireFinite(Path file, String tensor, double[] data) throws NonFiniteCheckpointException {
        for (int i = 0; i < data.length; i++) {
            if (!Double.isFinite(data[i])) {
                throw new NonFiniteCheckpointException("checkpoint " + file + ": tensor '" + tensor + "' has " + data[i]
                        + " at flat index " + i);
            }
        }
    }

    /** Thrown for a readable checkpoint with NaN or ±Inf values, so it is not reported as unreadable. */
    private static final class NonFiniteCheckpointException extends IOException {
        NonFiniteCheckpointException(String message) {
            super(message);
        }
    }

    private static List<Long> boxed(long[] shape) {
        return Arrays.stream(shape).boxed().toList();
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** {@code checkpoint.<file name>.sha256}, with characters MLflow refuses in keys replaced by '_'. */
    static String tagKey(String fileName) {
        String safe = fileName.replaceAll("[^A-Za-z0-9_\\-. /]", "_");
        String key = "checkpoint." + safe + ".sha256";
        if (key.length() > MAX_TAG_KEY) {
            throw new IllegalArgumentException("checkpoint file name too long for an MLflow tag key: " + fileName);
        }
        return key;
    }
}
