package io.rankrepro.tasks.model;

/**
 * A Vision Transformer: square images of {@code imageSize}² pixels with {@code channels}
 * channels cut into non-overlapping {@code patchSize}² patches.
 */
public record VitConfig(int imageSize, int channels, int patchSize, int classes, Pooling pooling,
                        TransformerConfig transformer) {
    public VitConfig {
        if (imageSize < 1 || channels < 1 || patchSize < 1 || classes < 2) {
            throw new IllegalArgumentException("ViT needs image_size, channels, patch_size >= 1 and classes >= 2; got "
                    + imageSize + ", " + channels + ", " + patchSize + ", " + classes);
        }
        if (imageSize % patchSize != 0) {
            throw new IllegalArgumentException("image size " + imageSize + " is not a multiple of patch size " + patchSize);
        }
    }

    public int patchesPerSide() {
        return imageSize / patchSize;
    }

    public int patches() {
        return patchesPerSide() * patchesPerSide();
    }

    public int tokens() {
        return patches() + (pooling == Pooling.CLS ? 1 : 0);
    }
}
