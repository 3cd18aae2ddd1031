package io.rankrepro.tasks.optim;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which weight-decay group a parameter belongs to, decided from its name alone.
 *
 * <p>A name is lower-cased and split into tokens at {@code . / _ -} and at digit boundaries
 * ({@code blocks.0.attn.W_Q} → blocks, 0, attn, w, q). Rules, first match wins:
 * <ol>
 *   <li>{@link #OTHER}: biases, norms and embeddings — a token {@code bias}, {@code b} as the last
 *       token, {@code norm}, {@code ln}, {@code layernorm}, {@code rmsnorm}, {@code gamma}, {@code beta},
 *       {@code embed}, {@code embedding}, {@code wte}, {@code wpe}, {@code pos}, {@code position}, {@code token}.
 *       A bias inside attention is still OTHER: the paper's claim is about the weight matrices.</li>
 *   <li>{@link #ATTENTION}: the matrices W_Q, W_K, W_V and the output projection P — any name with a
 *       token {@code attn}, {@code attention}, {@code self_attn} parts ({@code self}+{@code attn}),
 *       {@code q_proj}/{@code k_proj}/{@code v_proj}/{@code o_proj} (tokens q,k,v,o followed by proj),
 *       {@code wq}, {@code wk}, {@code wv}, {@code wo}, or the token pairs w q / w k / w v / w o,
 *       {@code query}, {@code key}, {@code value}, or {@code p} as the last token (the paper's P) outside an MLP.</li>
 *   <li>{@link #MLP}: a token {@code mlp}, {@code ffn}, {@code ff}, {@code feedforward}, {@code fc}, {@code fc1},
 *       {@code fc2}, {@code up}, {@code down}, {@code gate}.</li>
 *   <li>everything else (e.g. a read-out head): {@link #OTHER}.</li>
 * </ol>
 * Callers that care should log {@link WeightDecayGroups#assignment()} so a misfiled name is visible.
 */
public enum ParameterRole {
    ATTENTION, MLP, OTHER;

    private static final Pattern SPLIT = Pattern.compile("[._/\\-]+|(?<=\\d)(?=\\D)|(?<=\\D)(?=\\d)");
    private static final Set<String> OTHER_TOKENS = Set.of("bias", "norm", "ln", "layernorm", "rmsnorm", "gamma",
            "beta", "embed", "embedding", "embeddings", "wte", "wpe", "pos", "position", "token");
    private static final Set<String> ATTENTION_TOKENS = Set.of("attn", "attention", "wq", "wk", "wv", "wo",
            "query", "key", "value");
    private static final Set<String> QKVO = Set.of("q", "k", "v", "o", "p");
    private static final Set<String> MLP_TOKENS = Set.of("mlp", "ffn", "ff", "feedforward", "fc", "fc1", "fc2",
            "up", "down", "gate");

    public static ParameterRole classify(String name) {
        List<String> tokens = tokens(name);
        if (tokens.isEmpty()) {
            return OTHER;
        }
        if (tokens.stream().anyMatch(OTHER_TOKENS::contains) || tokens.get(tokens.size() - 1).equals("b")) {
            return OTHER;
        }
        for (int i = 0; i < tokens.size(); i++) {
            String t = tokens.get(i);
            if (ATTENTION_TOKENS.contains(t)) {
                return ATTENTION;
            }
            boolean next = i + 1 < tokens.size();
            // W_Q, W_K, W_V, W_O and P as "w q" ..., and q_proj ... o_proj as "q proj" ...
            if (t.equals("w") && next && QKVO.contains(tokens.get(i + 1))) {
                return ATTENTION;
            }
            if (QKVO.contains(t) && next && tokens.get(i + 1).equals("proj")) {
                return ATTENTION;
            }
        }
        if (tokens.get(tokens.size() - 1).equals("p") && tokens.stream().noneMatch(MLP_TOKENS::contains)) {
            return ATTENTION; // the paper's output projection P, e.g. blocks.0.P
        }
        if (tokens.stream().anyMatch(MLP_TOKENS::contains)) {
            return MLP;
        }
        return OTHER;
    }

    static List<String> tokens(String name) {
        return Pattern.compile(" ").splitAsStream(SPLIT.matcher(name.toLowerCase(Locale.ROOT)).replaceAll(" ").trim())
                .filter(s -> !s.isEmpty()).toList();
    }
}
