package io.rankrepro.tasks.rank;

import io.rankrepro.tasks.io.SafetensorsFile;
import io.rankrepro.tasks.io.SafetensorsTensor;
import io.rankrepro.tasks.model.AttentionLayout;
import io.rankrepro.tasks.model.HeadSlices;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How to find each head's factors in a checkpoint. Two layouts are read:
 * <ul>
 *   <li>{@code rankrepro}: ours ({@link AttentionLayout}): {@code blocks.{l}.attn.w_q|w_k|w_v|w_o},
 *       each [d, d], heads in columns.</li>
 *   <li>{@code gpt2}: Hugging Face GPT-2 ({@code [transformer.]h.{l}.attn.c_attn.weight} [d, 3d],
 *       Conv1D layout {@code y = x W}, columns q | k | v with heads in columns within each, and
 *       {@code c_proj.weight} [d, d] whose head h is rows h·d_h…; so P^h = c_proj[rows of h]ᵀ).</li>
 *   <li>{@code llama}: Hugging Face LLaMA ({@code [model.]layers.{l}.self_attn.{q,k,v,o}_proj.weight},
 *       PyTorch Linear layout, rows = out features, {@code y = x Wᵀ}). q_proj is [H·d_h, d] and head h
 *       is rows h·d_h … (h+1)·d_h − 1, so W_Q^h = q_proj[rows of h]ᵀ ∈ R^{d×d_h}; k_proj and v_proj are
 *       [H_kv·d_h, d] (H_kv < H: grouped-query attention, query head h reads kv head h / (H/H_kv));
 *       o_proj is [d, H·d_h] and its input features are the concatenated heads, so P^h = columns
 *       h·d_h … of o_proj. HF's rotary permutation of q/k rows acts alike on both sides of a head, so
 *       it leaves W_K^h W_Q^hᵀ and every norm unchanged; the products are the position-0 bilinear
 *       forms (RoPE rotates between q and k at other offsets, preserving singular values).</li>
 * </ul>
 */
public record CheckpointLayout(String name, String prefix, int layers, int width, int heads) {
    private static final Pattern GPT2 = Pattern.compile("(.*?)h\\.(\\d+)\\.attn\\.c_attn\\.weight");
    private static final Pattern OURS = Pattern.compile("blocks\\.(\\d+)\\.attn\\.w_q");
    private static final Pattern LLAMA = Pattern.compile("(.*?)layers\\.(\\d+)\\.self_attn\\.q_proj\\.weight");

    public CheckpointLayout {
        if (heads < 1 || width % heads != 0) {
            throw new IllegalArgumentException("width " + width + " is not divisible by " + heads + " heads");
        }
    }

    public int headWidth() {
        return width / heads;
    }

    /**
     * Detects the layout. {@code heads} ≤ 0 means "from the file's metadata" (our checkpoints record
     * it; GPT-2 files do not, so then it must be given).
     */
    public static CheckpointLayout detect(SafetensorsFile file, int heads) {
        int layers = 0;
        String prefix = null;
        boolean ours = false;
        boolean llama = false;
        for (String name : file.tensors().keySet()) {
            Matcher g = GPT2.matcher(name);
            Matcher o = OURS.matcher(name);
            Matcher m = LLAMA.matcher(name);
            if (m.matches()) {
                llama = true;
                prefix = m.group(1);
                layers = Math.max(layers, Integer.parseInt(m.group(2)) + 1);
            } else if (o.matches()) {
                ours = true;
                layers = Math.max(layers, Integer.parseInt(o.group(1)) + 1);
            } else if (g.matches()) {
                prefix = g.group(1);
                layers = Math.max(layers, Integer.parseInt(g.group(2)) + 1);
            }
        }
        if (layers == 0) {
            throw new IllegalArgumentException("no attention weights of a known layout: expected blocks.{l}.attn.w_q (rankrepro), "
                    + "h.{l}.attn.c_attn.weight (GPT-2) or layers.{l}.self_attn.q_proj.weight (LLaMA); tensors are e.g. " + file.tensors().keySet().stream().limit(8).toList());
        }
        int h = heads > 0 ? heads : metadataHeads(file);
        if (llama) {
            long[] s = file.tensor(prefix + "layers.0.self_attn.q_proj.weight").shape();
            if (s.length != 2 || s[0] != s[1]) {
                throw new IllegalArgumentException(prefix + "layers.0.self_attn.q_proj.weight has shape " + java.util.Arrays.toString(s)
                        + "; expected [H·d_h, d] with H·d_h = d");
            }
            return new CheckpointLayout("llama", prefix, layers, (int) s[1], h);
        }
        if (ours) {
            long[] s = file.tensor(AttentionLayout.query(0)).shape();
            return new CheckpointLayout("rankrepro", "", layers, (int) s[0], h);
        }
        long[] s = file.tensor(prefix + "h.0.attn.c_attn.weight").shape();
        if (s.length != 2 || s[1] != 3 * s[0]) {
            throw new IllegalArgumentException(prefix + "h.0.attn.c_attn.weight has shape " + java.util.Arrays.toString(s)
                    + "; GPT-2's Conv1D layout is [d, 3d]");
        }
        return new CheckpointLayout("gpt2", prefix, layers, (int) s[0], h);
    }

    private static int metadataHeads(SafetensorsFile file) {
        String h = file.metadata().get("heads");
        if (h == null) {
            throw new IllegalArgumentException("the checkpoint does not record its head count: pass heads (e.g. 12 for GPT-2 small)");
        }
        return Integer.parseInt(h);
    }

    /** Head {@code head}'s factors in layer {@code layer} of {@code file}. */
    public HeadFactors factors(SafetensorsFile file, int layer, int head) {
        int d = width;
        int dh = headWidth();
        if (name.equals("rankrepro")) {
            return new HeadFactors(
                    HeadSlices.columns(square(file, AttentionLayout.query(layer)), d, d, 0, head, dh),
                    HeadSlices.columns(square(file, AttentionLayout.key(layer)), d, d, 0, head, dh),
                    HeadSlices.columns(square(file, AttentionLayout.value(layer)), d, d, 0, head, dh),
                    HeadSlices.columns(square(file, AttentionLayout.output(layer)), d, d, 0, head, dh));
        }
        if (name.equals("llama")) {
            String base = prefix + "layers." + layer + ".self_attn.";
            long kvRows = file.tensor(base + "k_proj.weight").shape()[0];
            if (kvRows % dh != 0 || heads % (kvRows / dh) != 0) {
                throw new IllegalArgumentException(base + "k_proj.weight has " + kvRows + " rows: not a whole number of "
                        + dh + "-wide kv heads dividing " + heads + " query heads");
            }
            int kvHeads = (int) (kvRows / dh);
            int kv = head / (heads / kvHeads);
            return new HeadFactors(
                    HeadSlices.rowsTransposed(matrix(file, base + "q_proj.weight", d, d), d, d, head, dh),
                    HeadSlices.rowsTransposed(matrix(file, base + "k_proj.weight", kvHeads * dh, d), kvHeads * dh, d, kv, dh),
                    HeadSlices.rowsTransposed(matrix(file, base + "v_proj.weight", kvHeads * dh, d), kvHeads * dh, d, kv, dh),
                    HeadSlices.columns(matrix(file, base + "o_proj.weight", d, d), d, d, 0, head, dh));
        }
        String base = prefix + "h." + layer + ".attn.";
        double[] qkv = file.tensor(base + "c_attn.weight").data();
        double[] proj = square(file, base + "c_proj.weight");
        return new HeadFactors(
                HeadSlices.columns(qkv, d, 3 * d, 0, head, dh),
                HeadSlices.columns(qkv, d, 3 * d, d, head, dh),
                HeadSlices.columns(qkv, d, 3 * d, 2 * d, head, dh),
                HeadSlices.rowsTransposed(proj, d, d, head, dh));
    }

    private static double[] matrix(SafetensorsFile file, String name, int rows, int cols) {
        SafetensorsTensor t = file.tensor(name);
        long[] s = t.shape();
        if (s.length != 2 || s[0] != rows || s[1] != cols) {
            throw new IllegalArgumentException(name + " has shape " + java.util.Arrays.toString(s) + ", expected [" + rows + ", " + cols + "]");
        }
        return t.data();
    }

    private double[] square(SafetensorsFile file, String name) {
        SafetensorsTensor t = file.tensor(name);
        long[] s = t.shape();
        if (s.length != 2 || s[0] != width || s[1] != width) {
            throw new IllegalArgumentException(name + " has shape " + java.util.Arrays.toString(s) + ", expected [" + width + ", " + width + "]");
        }
        return t.data();
    }
}
