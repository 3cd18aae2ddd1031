package io.rankrepro.tests.reliability;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.rankrepro.pipeline.plan.Planner;
import io.rankrepro.pipeline.spec.ExperimentSpec;
import io.rankrepro.pipeline.spec.SpecException;
import io.rankrepro.pipeline.spec.SpecLoader;
import io.rankrepro.tasks.task.TaskKinds;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Generated specs — near-valid ones with wrong types, odd sizes, unknown fields and kinds, and their
 * bytes cut short or flipped — never make loading and planning throw anything but a
 * {@link SpecException}, and {@code rankrepro plan} answers them with 0 or 2. Each property stops
 * generating after {@value #BUDGET_SECONDS} s, so the test's time is bounded on a slow machine.
 */
class SpecFuzzTest {
    static final long BUDGET_SECONDS = 10;
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final List<String> KINDS = List.of("diagonal-toy/prepare", "diagonal-toy/train", "diagonal-toy/analyze",
            "checkpoint/verify", "boix2023/fig1", "transformer/train", "data/prepare", "rank/analyze", "no-such/kind");
    private static final List<String> PARAM_NAMES = List.of("tokens", "samples", "teacher_kq", "teacher_vo", "data_seed", "alpha",
            "learning_rate", "tau_max", "checkpoints", "uniform_checkpoints", "log_every", "width", "heads", "layers", "steps",
            "batch_size", "lr", "context", "dataset", "root", "path", "numerical_rank_tol", "9bad name", "");
    private static TaskKinds kinds;

    @BeforeContainer
    static void discover() {
        kinds = TaskKinds.discover();
    }

    @Property(tries = 1500, shrinking = net.jqwik.api.ShrinkingMode.OFF)
    void loadAndPlanFailOnlyWithSpecException(@ForAll("specBytes") byte[] bytes, @ForAll("profiles") String profile) {
        if (overBudget()) {
            return;
        }
        try {
            ExperimentSpec spec = SpecLoader.parse("fuzz.yaml", bytes);
            new Planner(kinds).plan(spec, profile, Map.of());
        } catch (SpecException e) {
            assertTrue(e.getMessage().contains("fuzz.yaml"), "a spec error names the file: " + e.getMessage());
        }
    }

    @Property(tries = 150, shrinking = net.jqwik.api.ShrinkingMode.OFF)
    void planCommandExitsWithZeroOrTwo(@ForAll("specBytes") byte[] bytes) throws Exception {
        if (overBudget()) {
            return;
        }
        Path dir = Files.createTempDirectory("spec-fuzz");
        try {
            Path spec = Files.write(dir.resolve("spec.yaml"), bytes);
            Cli r = Cli.run("plan", "--spec", spec.toString(), "--profile", "smoke");
            assertTrue(r.code() == 0 || r.code() == 2, r.toString() + "\n--- spec\n" + new String(bytes, StandardCharsets.UTF_8));
            if (r.code() == 2) {
                assertTrue(r.err().startsWith("rankrepro: ") && !r.err().contains("\tat "), r.toString());
            }
            try (var files = Files.list(dir)) {
                assertEquals(1, files.count(), "plan writes nothing");
            }
        } finally {
            Files.deleteIfExists(dir.resolve("spec.yaml"));
            Files.deleteIfExists(dir);
        }
    }

    /** When the current property started: jqwik makes one instance of this class per property. */
    private long start;

    @net.jqwik.api.lifecycle.BeforeProperty
    void startClock() {
        start = System.nanoTime();
    }

    /** Tries after the budget pass at once: jqwik has no time limit of its own. */
    private boolean overBudget() {
        return System.nanoTime() - start > BUDGET_SECONDS * 1_000_000_000L;
    }

    @Provide
    Arbitrary<String> profiles() {
        return Arbitraries.of("smoke", "cpu", "paper", "huge", "");
    }

    @Provide
    Arbitrary<byte[]> specBytes() {
        Arbitrary<byte[]> yaml = spec().map(SpecFuzzTest::yaml);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, yaml),
                net.jqwik.api.Tuple.of(2, Combinators.combine(yaml, Arbitraries.doubles().between(0, 1)).as(SpecFuzzTest::truncate)),
                net.jqwik.api.Tuple.of(2, Combinators.combine(yaml, Arbitraries.integers().between(0, 1 << 20),
                        Arbitraries.integers().between(0, 7)).as(SpecFuzzTest::flipBit)),
                net.jqwik.api.Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(200)));
    }

    private Arbitrary<Map<String, Object>> spec() {
        Arbitrary<Object> id = Arbitraries.oneOf(Arbitraries.just("fuzz/spec"), Arbitraries.strings().ofMaxLength(12).map(s -> s), anyValue());
        Arbitrary<List<Object>> stages = stage().list().ofMaxSize(5).map(l -> (List<Object>) (List<?>) l);
        Arbitrary<Map<String, Object>> sweep = Arbitraries.maps(Arbitraries.of("alpha", "samples", "x", "bad key"),
                anyValue().list().ofMaxSize(4).map(l -> (Object) l)).ofMaxSize(2);
        Arbitrary<Map<String, Object>> profiles = Arbitraries.maps(Arbitraries.of("smoke", "cpu", "paper", "huge"),
                Arbitraries.maps(Arbitraries.of("set", "sweep", "bogus"),
                        Arbitraries.oneOf(Arbitraries.maps(Arbitraries.of("train.tau_max", "prepare.samples", "nope", "train.steps"), anyValue()).ofMaxSize(2).map(m -> (Object) m),
                                anyValue())).ofMaxSize(2).map(m -> (Object) m)).ofMaxSize(2);
        return Combinators.combine(id, anyValue(), stages, sweep, profiles, Arbitraries.of("seed", "extra", "title"))
                .as((i, seed, st, sw, pr, extra) -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("id", i);
                    m.put("title", "fuzzed");
                    m.put(extra, seed);
                    m.put("stages", st);
                    if (!sw.isEmpty()) {
                        m.put("sweep", sw);
                    }
                    if (!pr.isEmpty()) {
                        m.put("profiles", pr);
                    }
                    return m;
                });
    }

    private Arbitrary<Map<String, Object>> stage() {
        Arbitrary<Map<String, Object>> params = Arbitraries.maps(Arbitraries.of(PARAM_NAMES), anyValue()).ofMaxSize(8);
        return Combinators.combine(Arbitraries.of("prepare", "train", "checkpoint", "analyze", "figure", "Bad Name"),
                Arbitraries.of(KINDS), params, Arbitraries.of(true, false, "yes"), Arbitraries.of(true, false, 1))
                .as((name, kind, p, sweep, gather) -> {
                    Map<String, Object> s = new LinkedHashMap<>();
                    s.put("name", name);
                    s.put("kind", kind);
                    s.put("params", p);
                    s.put("sweep", sweep);
                    if (!Boolean.FALSE.equals(gather)) {
                        s.put("gather", gather);
                    }
                    return s;
                });
    }

    /** Numbers at the edges (negative, zero, huge, non-finite), strings, booleans, nulls, lists and mappings. */
    private Arbitrary<Object> anyValue() {
        Arbitrary<Object> scalar = Arbitraries.oneOf(
                Arbitraries.longs().map(x -> (Object) x),
                Arbitraries.of(0L, -1L, 1L, 2L, 16L, Long.MAX_VALUE, Long.MIN_VALUE, Integer.MAX_VALUE + 1L).map(x -> (Object) x),
                Arbitraries.doubles().map(x -> (Object) x),
                Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, -0.0, 1e-300, 1e300, 0.5, 1e-8).map(x -> (Object) x),
                Arbitraries.strings().ofMaxLength(10).map(x -> (Object) x),
                Arbitraries.of("sklearn-digits", "../../etc", "/", "adam", "cls", "true", "0x10").map(x -> (Object) x),
                Arbitraries.of(true, false).map(x -> (Object) x),
                Arbitraries.just(null));
        return Arbitraries.oneOf(scalar, scalar.list().ofMaxSize(6).map(l -> (Object) l),
                Arbitraries.maps(Arbitraries.strings().alpha().ofMaxLength(4), scalar).ofMaxSize(2).map(m -> (Object) m));
    }

    private static byte[] yaml(Map<String, Object> spec) {
        try {
            return YAML.writeValueAsBytes(spec);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] truncate(byte[] bytes, double at) {
        return java.util.Arrays.copyOf(bytes, (int) (bytes.length * at));
    }

    private static byte[] flipBit(byte[] bytes, int position, int bit) {
        byte[] out = bytes.clone();
        if (out.length > 0) {
            out[position % out.length] ^= (byte) (1 << bit);
        }
        return out;
    }
}
