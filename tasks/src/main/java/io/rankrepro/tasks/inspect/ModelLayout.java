package io.rankrepro.tasks.inspect;

import io.rankrepro.tasks.io.SafetensorsHeader;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;

/**
 * The attention layout of one checkpoint: its {@link AttentionFamily}, the tensor-name prefix, and
 * the shape (layers, d, H, H_kv, d_h) from config.json and the overrides, checked against every
 * attention tensor's shape before anything is computed. {@link #slices} says where head h's four
 * factors lie.
 */
public record ModelLayout(AttentionFamily family, String prefix, int layers, int width, int heads, int kvHeads, int headDim) {

    /**
     * Where one head's d×d_h factor lies in a 2-D tensor.
     *
     * @param rows  true: the head's d_h features are rows {@code first …} of the tensor (the factor is
     *              those rows, transposed); false: they are columns {@code first …}
     */
    public record FactorSlice(String tensor, boolean rows, int first) { }

    /** Head h's factors: W_Q^h, W_K^h, W_V^h (of kv head {@code kvHead}) and P^h. */
    public record HeadSlices(int kvHead, FactorSlice query, FactorSlice key, FactorSlice value, FactorSlice output) { }

    /** Query heads that share one key/value head. */
    public int groupSize() {
        return heads / kvHeads;
    }

    /** The four tensors of layer {@code layer} (fused families name one tensor three times). */
    public List<String> tensors(int layer) {
        return family.tensors(prefix, layer);
    }

    public HeadSlices slices(int layer, int head) {
        List<String> t = tensors(layer);
        int dh = headDim;
        int kv = head / groupSize();
        return switch (family.packing()) {
            case SEPARATE -> new HeadSlices(kv, new FactorSlice(t.get(0), true, head * dh), new FactorSlice(t.get(1), true, kv * dh),
                    new FactorSlice(t.get(2), true, kv * dh), new FactorSlice(t.get(3), false, head * dh));
            case FUSED_CONV1D -> new HeadSlices(kv, new FactorSlice(t.get(0), false, head * dh),
                    new FactorSlice(t.get(1), false, heads * dh + head * dh), new FactorSlice(t.get(2), false, 2 * heads * dh + head * dh),
                    new FactorSlice(t.get(3), true, head * dh));
            case FUSED_INTERLEAVED -> new HeadSlices(kv, new FactorSlice(t.get(0), true, 3 * head * dh),
                    new FactorSlice(t.get(1), true, 3 * head * dh + dh), new FactorSlice(t.get(2), true, 3 * head * dh + 2 * dh),
                    new FactorSlice(t.get(3), false, head * dh));
            case COLUMNS -> new HeadSlices(kv, new FactorSlice(t.get(0), false, head * dh), new FactorSlice(t.get(1), false, kv * dh),
                    new FactorSlice(t.get(2), false, kv * dh), new FactorSlice(t.get(3), false, head * dh));
        };
    }

    /** The [rows, cols] each tensor of a layer must have: query, key, value, output. */
    List<long[]> expectedShapes() {
        long d = width;
        long q = (long) heads * headDim;
        long kv = (long) kvHeads * headDim;
        return switch (family.packing()) {
            case SEPARATE -> List.of(new long[] {q, d}, new long[] {kv, d}, new long[] {kv, d}, new long[] {d, q});
            case FUSED_CONV1D -> List.of(new long[] {d, 3 * q}, new long[] {d, 3 * q}, new long[] {d, 3 * q}, new long[] {q, d});
            case FUSED_INTERLEAVED -> List.of(new long[] {3 * q, d}, new long[] {3 * q, d}, new long[] {3 * q, d}, new long[] {d, q});
            case COLUMNS -> List.of(new long[] {d, q}, new long[] {d, kv}, new long[] {d, kv}, new long[] {d, q});
        };
    }

    /**
     * The layout of {@code ckpt}: the family from config.json's model_type (else from the tensor
     * names), the shape from {@code config} (config.json with the overrides applied) or, where it is
     * silent, from the tensors. Every error names the file and the tensor, or lists the
     * attention-looking tensors when no family matches.
     */
    public static ModelLayout detect(MappedCheckpoint ckpt, ModelConfig config) throws IOException {
        AttentionFamily family = null;
        Optional<AttentionFamily> byType = AttentionFamily.ofModelType(config.modelType());
        List<AttentionFamily> candidates = byType.map(List::of).orElse(List.of(AttentionFamily.values()));
        String prefix = null;
        int found = 0;
        for (AttentionFamily f : candidates) {
            String p = null;
            TreeSet<Integer> layers = new TreeSet<>();
            for (String name : ckpt.names()) {
                Matcher m = f.queryPattern().matcher(name);
                if (m.matches() && (p == null || p.equals(m.group(1)))) {
                    p = m.group(1);
                    layers.add(Integer.parseInt(m.group(2)));
                }
            }
            if (p != null && ckpt.has(f.tensors(p, layers.first()).get(3))) {
                family = f;
                prefix = p;
                found = layers.last() + 1;
                if (layers.size() != found) {
                    throw new IOException(ckpt.path() + ": layers " + missing(layers, found) + " of " + found + " have no "
                            + f.tensors(p, 0).get(0).replace(".0.", ".{l}."));
                }
                break;
            }
        }
        if (family == null) {
            throw unknown(ckpt, config, byType.orElse(null));
        }
        Map<String, String> meta = ckpt.metadata();
        int heads = config.heads() > 0 ? config.heads() : meta.containsKey("heads") ? Integer.parseInt(meta.get("heads")) : 0;
        if (heads <= 0) {
            throw new IOException(ckpt.path() + ": the head count is unknown (no config.json with num_attention_heads): pass --heads N");
        }
        String q0 = family.tensors(prefix, 0).get(0);
        long[] qShape = shape(ckpt, q0);
        int width = config.width() > 0 ? config.width() : (int) switch (family.packing()) {
            case SEPARATE, FUSED_INTERLEAVED -> qShape[1];
            case FUSED_CONV1D, COLUMNS -> qShape[0];
        };
        int headDim = config.headDim();
        if (headDim <= 0) {
            if (width % heads != 0) {
                throw new IOException(source(ckpt) + ": width " + width + " is not divisible by " + heads + " heads; pass --head-dim");
            }
            headDim = width / heads;
        }
        int kvHeads = config.kvHeads();
        if (kvHeads <= 0) {
            long[] k = shape(ckpt, family.tensors(prefix, 0).get(1));
            long kvFeatures = switch (family.packing()) {
                case SEPARATE -> k[0];
                case COLUMNS -> k[1];
                case FUSED_CONV1D, FUSED_INTERLEAVED -> (long) heads * headDim;
            };
            kvHeads = kvFeatures % headDim == 0 ? (int) (kvFeatures / headDim) : heads;
        }
        if (kvHeads < 1 || heads % kvHeads != 0) {
            throw new IOException(source(ckpt) + ": " + heads + " query heads cannot share " + kvHeads + " key/value heads (H must be a multiple of H_kv)");
        }
        if (family.packing() != AttentionFamily.Packing.SEPARATE && family.packing() != AttentionFamily.Packing.COLUMNS && kvHeads != heads) {
            throw new IOException(source(ckpt) + ": " + family + " has no grouped-query attention, but H_kv = " + kvHeads + " ≠ H = " + heads);
        }
        int layers = found;
        if (config.layers() > 0) {
            if (config.layers() > found) {
                throw new IOException(source(ckpt) + " says " + config.layers() + " layers, but " + ckpt.path() + " has " + found
                        + " (" + q0.replace(".0.", ".{l}.") + " for l < " + found + ")");
            }
            layers = config.layers();
        }
        ModelLayout layout = new ModelLayout(family, prefix, layers, width, heads, kvHeads, headDim);
        layout.checkShapes(ckpt);
        return layout;
    }

    private void checkShapes(MappedCheckpoint ckpt) throws IOException {
        List<long[]> expected = expectedShapes();
        for (int l = 0; l < layers; l++) {
            List<String> t = tensors(l);
            for (int i = 0; i < 4; i++) {
                SafetensorsHeader.Entry e = ckpt.entry(t.get(i));
                if (e == null) {
                    throw new IOException(ckpt.path() + ": layer " + l + " has no tensor '" + t.get(i) + "'");
                }
                if (!Arrays.equals(e.shape(), expected.get(i))) {
                    throw new IOException(ckpt.fileOf(t.get(i)) + ": tensor '" + t.get(i) + "' has shape " + Arrays.toString(e.shape())
                            + ", but " + describe(ckpt) + " mean " + Arrays.toString(expected.get(i)));
                }
                if (!e.dtype().readable()) {
                    throw new IOException(ckpt.fileOf(t.get(i)) + ": tensor '" + t.get(i) + "' is " + e.dtype()
                            + "; attention weights are read as F64, F32, F16 or BF16");
                }
            }
        }
    }

    private String describe(MappedCheckpoint ckpt) {
        return String.format(Locale.ROOT, "%s (%s: d = %d, H = %d, H_kv = %d, d_h = %d)", source(ckpt),
                family.name().toLowerCase(Locale.ROOT), width, heads, kvHeads, headDim);
    }

    private static String source(MappedCheckpoint ckpt) {
        return ckpt.configFile() != null ? ckpt.configFile() + " and the flags" : "the flags and the tensors";
    }

    private static long[] shape(MappedCheckpoint ckpt, String name) throws IOException {
        SafetensorsHeader.Entry e = ckpt.entry(name);
        if (e == null) {
            throw new IOException(ckpt.path() + ": no tensor '" + name + "'");
        }
        if (e.shape().length != 2) {
            throw new IOException(ckpt.fileOf(name) + ": tensor '" + name + "' has shape " + Arrays.toString(e.shape()) + "; expected a matrix");
        }
        return e.shape();
    }

    private static String missing(TreeSet<Integer> layers, int count) {
        List<Integer> out = new ArrayList<>();
        for (int l = 0; l < count; l++) {
            if (!layers.contains(l)) {
                out.add(l);
            }
        }
        return out.toString();
    }

    private static IOException unknown(MappedCheckpoint ckpt, ModelConfig config, AttentionFamily expected) {
        List<String> attention = ckpt.names().stream()
                .filter(n -> n.matches("(?i).*(attn|attention|q_proj|k_proj|v_proj|query|key|value|qkv).*"))
                .limit(12).toList();
        String what = expected != null
                ? "model_type '" + config.modelType() + "' is " + expected.name().toLowerCase(Locale.ROOT) + ", but its tensors are not there"
                : "no known attention layout" + (config.modelType().isEmpty() ? "" : " (model_type '" + config.modelType() + "')");
        return new IOException(ckpt.path() + ": " + what + ". Attention-looking tensors: "
                + (attention.isEmpty() ? "none" : String.join(", ", attention)) + ". Known layouts (layer 0):" + AttentionFamily.known()
                + "\nTo analyse another layout, save its per-head weights under one of these names (PyTorch Linear [out, in] for "
                + "q/k/v/o_proj), or add a family to io.rankrepro.tasks.inspect.AttentionFamily.");
    }
}
