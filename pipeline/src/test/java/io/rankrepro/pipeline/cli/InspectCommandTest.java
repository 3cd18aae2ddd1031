package io.rankrepro.pipeline.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rankrepro.tasks.io.SafetensorsDtype;
import io.rankrepro.tasks.io.SafetensorsTensor;
import io.rankrepro.tasks.io.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code rankrepro inspect} as a user runs it: a small BERT-layout folder is inspected, printed and
 * cached; a truncated file, a header whose offsets lie, a config.json that does not match the shapes
 * and an unknown layout are each exit 2 naming the file and the tensor, with nothing written.
 */
class InspectCommandTest {
    private static final int D = 16;
    private static final int HEADS = 4;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path tmp;
    @RegisterExtension final ConsoleCapture console = new ConsoleCapture();

    @Test
    void inspectsPrintsTheSummaryAndCachesByContent() throws Exception {
        Path model = bert(tmp.resolve("tiny-bert"), D, "encoder.layer.%d.attention.self.query.weight");
        Path result = tmp.resolve("out");
        String[] args = {"inspect", model.toString(), "--out", result.toString(), "--workdir", tmp.resolve("work").toString(), "--no-tracking"};
        assertEquals(0, RankreproCli.execute(args), () -> console.out() + "\n" + console.err());
        String printed = console.out();
        assertTrue(printed.contains("bert layout: 2 layers, 4 heads (4 key/value), d = 16, d_h = 4"), printed);
        assertTrue(printed.contains("    1  "), printed);
        for (String f : List.of("ranks.csv", "ranks_by_layer.csv", "spectra.csv", "balance.csv", "model.json", "summary.txt",
                "inspect-heads.png", "inspect-heads.svg", "inspect-balance.png", "inspect-balance.svg")) {
            assertTrue(Files.size(result.resolve(f)) > 0, f);
        }
        console.reset();
        assertEquals(0, RankreproCli.execute(args), () -> console.out() + "\n" + console.err());
        assertTrue(console.out().contains("≡ inspect skipped"), console.out());
    }

    @Test
    void aTruncatedFileIsExit2NamingTheFileAndNothingIsWritten() throws Exception {
        Path model = bert(tmp.resolve("m"), D, "encoder.layer.%d.attention.self.query.weight");
        Path file = model.resolve("model.safetensors");
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 10));
        assertRefused(model, file.toString(), "truncated", "ends past the end");
    }

    @Test
    void aHeaderThatLiesAboutOffsetsIsExit2NamingTheTensor() throws Exception {
        Path model = bert(tmp.resolve("m"), D, "encoder.layer.%d.attention.self.query.weight");
        Path file = model.resolve("model.safetensors");
        String tensor = "encoder.layer.1.attention.self.key.weight";
        rewriteHeader(file, h -> {
            var offsets = (com.fasterxml.jackson.databind.node.ArrayNode) h.get(tensor).get("data_offsets");
            long begin = offsets.get(0).asLong();
            long end = offsets.get(1).asLong();
            offsets.removeAll().add(begin + 8).add(end + 8); // overlaps the next tensor
        });
        assertRefused(model, file.toString(), "data offset");
    }

    @Test
    void aShapeThatDoesNotMatchConfigJsonIsExit2NamingFileAndTensor() throws Exception {
        Path model = bert(tmp.resolve("m"), D, "encoder.layer.%d.attention.self.query.weight");
        JSON.writeValue(model.resolve("config.json").toFile(),
                Map.of("model_type", "bert", "hidden_size", D, "num_attention_heads", HEADS, "num_hidden_layers", 2, "head_dim", 8));
        assertRefused(model, model.resolve("model.safetensors").toString(), "tensor 'encoder.layer.0.attention.self.query.weight' has shape [16, 16]",
                "[32, 16]");
    }

    @Test
    void anUnknownLayoutIsExit2ListingItsAttentionTensorsAndTheKnownOnes() throws Exception {
        Path model = bert(tmp.resolve("m"), D, "blocks.%d.mixer.attn_q.weight");
        JSON.writeValue(model.resolve("config.json").toFile(), Map.of("model_type", "mystery", "hidden_size", D, "num_attention_heads", HEADS));
        assertRefused(model, model.toString(), "blocks.0.mixer.attn_q.weight", "layers.{l}.self_attn".replace("{l}", "0"),
                "model_type 'mystery'", "q_proj.weight");
    }

    private void assertRefused(Path model, String... expected) {
        Path result = tmp.resolve("refused-out");
        Path work = tmp.resolve("refused-work");
        int code = RankreproCli.execute("inspect", model.toString(), "--out", result.toString(), "--workdir", work.toString(), "--no-tracking");
        String message = console.err();
        assertEquals(2, code, () -> console.out() + "\n" + message);
        for (String e : expected) {
            assertTrue(message.contains(e), "expected '" + e + "' in:\n" + message);
        }
        assertFalse(Files.exists(result), "nothing written to --out");
        assertFalse(Files.exists(work), "nothing written to --workdir");
    }

    /** A 2-layer BERT-layout folder, query tensors named by {@code queryName}, F32. */
    private static Path bert(Path dir, int d, String queryName) throws Exception {
        Files.createDirectories(dir);
        Random rnd = new Random(3);
        List<SafetensorsTensor> tensors = new ArrayList<>();
        for (int l = 0; l < 2; l++) {
            String q = String.format(queryName, l);
            for (String name : List.of(q, q.replace("query", "key").replace("attn_q", "attn_k"), q.replace("query", "value").replace("attn_q", "attn_v"),
                    "encoder.layer." + l + ".attention.output.dense.weight")) {
                double[] w = new double[d * d];
                for (int i = 0; i < w.length; i++) {
                    w[i] = rnd.nextGaussian() / Math.sqrt(d);
                }
                tensors.add(new SafetensorsTensor(name, SafetensorsDtype.F32, new long[] {d, d}, w));
            }
        }
        SafetensorsWriter.write(dir.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        JSON.writeValue(dir.resolve("config.json").toFile(),
                Map.of("model_type", "bert", "hidden_size", d, "num_attention_heads", HEADS, "num_hidden_layers", 2));
        return dir;
    }

    private static void rewriteHeader(Path file, java.util.function.Consumer<ObjectNode> edit) throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        int n = (int) ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        ObjectNode header = (ObjectNode) JSON.readTree(new String(bytes, 8, n, StandardCharsets.UTF_8));
        edit.accept(header);
        byte[] json = JSON.writeValueAsBytes(header);
        byte[] padded = Arrays.copyOf(json, n);
        Arrays.fill(padded, json.length, n, (byte) ' ');
        assertTrue(json.length <= n, "the edited header fits in place");
        System.arraycopy(padded, 0, bytes, 8, n);
        Files.write(file, bytes);
    }
}
