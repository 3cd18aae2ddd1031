package io.rankrepro.tasks.data;

import javax.imageio.ImageIO;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * ImageNet-style data: {@code root/<class>/<image>.{jpg,jpeg,png}}, classes in sorted folder
 * order, each image resized (bilinear, aspect ratio ignored) to size×size RGB with
 * javax.imageio. A user-built folder has no published checksum.
 */
public final class ImageFolder {
    private ImageFolder() { }

    public static ImageSet read(Path root, int size, int maxPerClass) throws IOException {
        if (size < 1 || size > 1024) {
            throw new IllegalArgumentException("image size must be in [1, 1024], got " + size);
        }
        if (!Files.isDirectory(root)) {
            throw new java.nio.file.NoSuchFileException(root.toString(), null, "image folder not found");
        }
        List<List<Path>> classes = files(root, maxPerClass);
        if (classes.size() < 2) {
            throw new IOException(root + ": expected at least 2 class folders, found " + classes.size());
        }
        List<float[]> images = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            for (Path f : classes.get(c)) {
                BufferedImage img;
                try {
                    img = ImageIO.read(f.toFile());
                } catch (IOException | RuntimeException e) {
                    throw new IOException(f + ": corrupt image (" + e.getMessage() + ")", e);
                }
                if (img == null) {
                    throw new IOException(f + ": not a readable image (corrupt or unsupported format)");
                }
                images.add(resize(img, size));
                labels.add(c);
            }
        }
        if (images.isEmpty()) {
            throw new IOException(root + ": no .jpg/.jpeg/.png images in the class folders");
        }
        int per = 3 * size * size;
        float[] pixels = new float[images.size() * per];
        for (int i = 0; i < images.size(); i++) {
            System.arraycopy(images.get(i), 0, pixels, i * per, per);
        }
        return new ImageSet("image folder " + root.getFileName(), images.size(), 3, size, size, classes.size(), pixels,
                labels.stream().mapToInt(Integer::intValue).toArray());
    }

    /**
     * The images {@link #read} reads, per class folder in sorted folder order: the sorted
     * {@code .jpg/.jpeg/.png} files of each, at most {@code maxPerClass}. Empty when {@code root}
     * is not a folder.
     */
    public static List<List<Path>> files(Path root, int maxPerClass) throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<Path> classes;
        try (Stream<Path> s = Files.list(root)) {
            classes = s.filter(Files::isDirectory).sorted().toList();
        }
        List<List<Path>> out = new ArrayList<>();
        for (Path dir : classes) {
            try (Stream<Path> s = Files.list(dir)) {
                out.add(s.filter(p -> p.getFileName().toString().toLowerCase().matches(".*\\.(jpe?g|png)")).sorted()
                        .limit(maxPerClass).toList());
            }
        }
        return out;
    }

    /** [3, size, size] channel-major values in [0, 1]. */
    private static float[] resize(BufferedImage src, int size) {
        BufferedImage dst = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = dst.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(src, 0, 0, size, size, null);
        g.dispose();
        float[] out = new float[3 * size * size];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int rgb = dst.getRGB(x, y);
                int i = y * size + x;
                out[i] = ((rgb >> 16) & 0xff) / 255f;
                out[size * size + i] = ((rgb >> 8) & 0xff) / 255f;
                out[2 * size * size + i] = (rgb & 0xff) / 255f;
            }
        }
        return out;
    }
}
