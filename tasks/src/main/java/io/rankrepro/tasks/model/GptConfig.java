package io.rankrepro.tasks.model;

/**
 * A GPT-style decoder over a {@code vocab}-symbol alphabet and a {@code context}-token window.
 *
 * @param tiedOutput whether the output projection is the token embedding transposed (GPT-2) or a
 *                   separate {@code lm_head.weight}
 */
public record GptConfig(int vocab, int context, boolean tiedOutput, TransformerConfig transformer) {
    public GptConfig {
        if (vocab < 2 || vocab > 1 << 20 || context < 1 || context > 1 << 16) {
            throw new IllegalArgumentException("GPT needs vocab in [2, 2^20] and context in [1, 65536]; got "
                    + vocab + ", " + context);
        }
    }
}
