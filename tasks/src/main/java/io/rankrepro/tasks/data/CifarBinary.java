package io.rankrepro.tasks.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CIFAR-10 / CIFAR-100 in the standard binary format: records of label byte(s) then 3072 pixel
 * bytes (1024 red, 1024 green, 1024 blue, each 32×32 row-major). CIFAR-10 has one label byte;
 * CIFAR-100 a coarse then a fine label byte (we classify the 100 fine labels). Reads the
 * published archive ({@code cifar-10-binary.tar.gz}, MD5 checked) or its extracted folder.
 */
public final class CifarBinary {
    public static final int SIDE = 32;
    public static final int PIXELS = 3 * SIDE * SIDE;

    /** The two variants, their record layout and file names. */
    public enum Variant {
        CIFAR10("cifar-10-binary.tar.gz", "cifar-10-batches-bin", 1, 10,
                List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"),
                List.of("test_batch.bin")),
        CIFAR100("cifar-100-binary.tar.gz", "cifar-100-binary", 2, 100, List.of("train.bin"), List.of("test.bin"));

        final String archive;
        final String folder;
        final int labelBytes;
        final int classes;
        final List<String> train;
        final List<String> test;

        Variant(String archive, String folder, int labelBytes, int classes, List<String> train, List<String> test) {
            this.archive = archive;
            this.folder = folder;
            this.labelBytes = labelBytes;
            this.classes = classes;
            this.train = train;
            this.test = test;
        }

        public int recordBytes() {
            return labelBytes + PIXELS;
        }

        public String archiveName() {
            return archive;
        }

        public String folderName() {
            return folder;
        }

        public List<String> files(boolean trainSplit) {
            return trainSplit ? train : test;
        }
    }

    private CifarBinary() { }

    /**
     * Reads a split from {@code root}: the archive {@code root/<archive>} if present (its MD5
     * checked against {@code expected}, null = the published one), else the folder
     * {@code root/<folder>/}.
     */
    public static ImageSet read(Path root, Variant v, boolean trainSplit, Checksums.Expected expected) throws IOException {
        Path archive = root.resolve(v.archive);
        if (Files.isRegularFile(archive)) {
            Checksums.verify(archive, expected != null ? expected : Checksums.KNOWN.get(v.archive));
            return fromArchive(archive, v, trainSplit);
        }
        Path folder = root.resolve(v.folder);
        if (!Files.isDirectory(folder)) {
            throw new java.nio.file.NoSuchFileException(root.toString(), null, "neither " + v.archive + " nor " + v.folder
                    + "/ found; download " + v.archive + " from https://www.cs.toronto.edu/~kriz/cifar.html into this folder");
        }
        Records records = new Records(v);
        for (String name : v.files(trainSplit)) {
            Path f = folder.resolve(name);
            Checksums.requireFile(f);
            try (InputStream in = Files.newInputStream(f)) {
                records.add(f.toString(), Files.size(f), in);
            }
        }
        return records.toImageSet();
    }

    /**
     * The files {@link #read} reads for a split: the archive {@code root/<archive>} if it is a
     * file, else the split's batch files in {@code root/<folder>/} (named even when missing).
     */
    public static List<Path> files(Path root, Variant v, boolean trainSplit) {
        Path archive = root.resolve(v.archive);
        if (Files.isRegularFile(archive)) {
            return List.of(archive);
        }
        Path folder = root.resolve(v.folder);
        return v.files(trainSplit).stream().map(folder::resolve).toList();
    }

    private static ImageSet fromArchive(Path archive, Variant v, boolean trainSplit) throws IOException {
        Records records = new Records(v);
        List<String> wanted = v.files(trainSplit);
        List<String> seen = new ArrayList<>();
        TarGz.forEachFile(archive, (name, size, in) -> {
            String base = name.substring(name.lastIndexOf('/') + 1);
            if (wanted.contains(base)) {
                seen.add(base);
                records.add(archive + "!" + name, size, in);
            }
        });
        if (seen.size() != wanted.size()) {
            throw new IOException(archive + ": expected " + wanted + " inside, found " + seen);
        }
        return records.toImageSet();
    }

    /** Accumulates records from one or more batch files. */
    private static final class Records {
        private final Variant v;
        private final List<byte[]> chunks = new ArrayList<>();
        private int count;

        Records(Variant v) {
            this.v = v;
        }

        void add(String where, long size, InputStream in) throws IOException {
            if (size == 0 || size % v.recordBytes() != 0) {
                throw new IOException(where + ": " + size + " bytes is not a whole number of " + v.recordBytes()
                        + "-byte " + v.name() + " records (truncated or corrupt file)");
            }
            byte[] all = in.readNBytes((int) size);
            if (all.length != size) {
                throw new IOException(where + ": truncated, read " + all.length + " of " + size + " bytes");
            }
            for (int off = 0; off < all.length; off += v.recordBytes()) {
                int label = all[off + v.labelBytes - 1] & 0xff; // CIFAR-100: the fine label is the second byte
                if (label >= v.classes) {
                    throw new IOException(where + ": record " + off / v.recordBytes() + " has label " + label
                            + ", outside 0.." + (v.classes - 1) + " (corrupt file or wrong variant)");
                }
            }
            chunks.add(all);
            count += (int) (size / v.recordBytes());
        }

        ImageSet toImageSet() {
            float[] pixels = new float[count * PIXELS];
            int[] labels = new int[count];
            int i = 0;
            for (byte[] chunk : chunks) {
                for (int off = 0; off < chunk.length; off += v.recordBytes(), i++) {
                    labels[i] = chunk[off + v.labelBytes - 1] & 0xff;
                    for (int p = 0; p < PIXELS; p++) {
                        pixels[i * PIXELS + p] = (chunk[off + v.labelBytes + p] & 0xff) / 255f;
                    }
                }
            }
            return new ImageSet(v == Variant.CIFAR10 ? "CIFAR-10" : "CIFAR-100", count, 3, SIDE, SIDE, v.classes, pixels, labels);
        }
    }
}
