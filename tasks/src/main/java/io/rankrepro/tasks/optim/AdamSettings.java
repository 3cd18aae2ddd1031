package io.rankrepro.tasks.optim;

/**
 * Adam's constants. PyTorch's defaults are (0.9, 0.999, 1e-8); Kobayashi et al. 2024 used
 * β2 = 0.95 for their LM (FIGURES.md A-tab2).
 */
public record AdamSettings(double beta1, double beta2, double eps) {
    public static final AdamSettings DEFAULTS = new AdamSettings(0.9, 0.999, 1e-8);

    public AdamSettings {
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("betas must be in [0, 1), got " + beta1 + ", " + beta2);
        }
        if (!(eps > 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("eps must be finite and > 0, got " + eps);
        }
    }
}
