package io.rankrepro.tasks.data;

/**
 * Labelled images held in memory: {@code pixels} row-major [count, channels, height, width],
 * scaled to [0, 1]; {@code labels} in [0, classes).
 */
public record ImageSet(String name, int count, int channels, int height, int width, int classes,
                       float[] pixels, int[] labels) {
    public ImageSet {
        if ((long) count * channels * height * width != pixels.length || labels.length != count) {
            throw new IllegalArgumentException(name + ": " + pixels.length + " pixels and " + labels.length
                    + " labels do not make " + count + " images of " + channels + "x" + height + "x" + width);
        }
        for (int i = 0; i < count; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException(name + ": label " + labels[i] + " of image " + i + " is outside [0, " + classes + ")");
            }
        }
    }
}
