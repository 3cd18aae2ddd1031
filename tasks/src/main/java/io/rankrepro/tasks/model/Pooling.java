package io.rankrepro.tasks.model;

import java.util.Locale;

/** How a ViT turns its token sequence into one vector for the classifier. */
public enum Pooling {
    /** A learned class token prepended to the patches; its final state is classified. */
    CLS,
    /** The mean of the final patch states (no class token). */
    MEAN;

    public static Pooling parse(String s) {
        try {
            return valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("pooling must be 'cls' or 'mean', got '" + s + "'");
        }
    }
}
