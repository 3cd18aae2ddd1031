package io.rankrepro.tests.reliability;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Malformed specs and command lines: each must end with exit code 2 and a message that names the
 * problem, before any compute — the tracking URI points at a closed port, so getting as far as
 * tracking would exit 1 — and must leave no file behind.
 */
class BadInputTest {
    private static final String VALID = """
            id: reliability/bad-input
            title: "a valid base spec that each case breaks in one way"
            seed: 0
            sweep: {alpha: [1.0e-1, 1.0e-8]}
            stages:
              - name: prepare
                kind: diagonal-toy/prepare
                params: {tokens: 4, samples: 16, teacher_kq: [0.5, 0.0, 0.0, -1.0, 0.0], teacher_vo: [1.2, 0.0, -0.5, 0.0, 0.0], data_seed: 0}
              - name: train
                kind: diagonal-toy/train
                sweep: true
                params: {learning_rate: 0.02, tau_max: 1.5, checkpoints: 6, uniform_checkpoints: 6, log_every: 2}
            profiles:
              smoke: {set: {train.tau_max: 1.0}}
            """;
    private static final String TRANSFORMER = """
            id: reliability/too-big
            title: "a transformer no machine here can train"
            stages:
              - {name: prepare, kind: data/prepare, params: {dataset: sklearn-digits, root: .cache/datasets, image_size: 8}}
              - name: train
                kind: transformer/train
                params: {width: 8192, heads: 64, layers: 256, steps: 10, batch_size: 4096, lr: 1.0e-3, context: 4096, patch_size: 2}
            """;

    /** @param spec the spec file's bytes, or null for the valid base; @param args with $SPEC, $WORK, $RESULTS, $TMP */
    record Case(String name, byte[] spec, List<String> args, String expected) { }

    private static Case spec(String name, String text, String expected) {
        return new Case(name, text.getBytes(StandardCharsets.UTF_8), List.of(), expected);
    }

    private static Case broken(String name, String from, String to, String expected) {
        if (!VALID.contains(from)) {
            throw new IllegalArgumentException(name + ": base spec lacks " + from);
        }
        return spec(name, VALID.replace(from, to), expected);
    }

    private static Case args(String name, String expected, String... args) {
        return new Case(name, null, List.of(args), expected);
    }

    static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        // the spec file itself
        c.add(spec("empty file", "", "file is empty"));
        c.add(spec("only whitespace", "  \n\t\n", "file is empty"));
        c.add(new Case("non-UTF-8 bytes", new byte[] {'i', 'd', ':', ' ', (byte) 0xff, (byte) 0xfe, '\n'}, List.of(), "not valid UTF-8"));
        c.add(new Case("binary garbage", new byte[] {0, 1, 2, (byte) 0xc3, 0x28, 0, 0}, List.of(), "not valid UTF-8"));
        c.add(spec("not YAML", "id: [unclosed\n", "not valid YAML"));
        c.add(spec("a list, not a mapping", "- id: x\n", "top level must be a mapping"));
        c.add(spec("a scalar, not a mapping", "42\n", "top level must be a mapping"));
        // nine levels of nine aliases: 387 million nodes if expanded; the loader must not expand them
        StringBuilder bomb = new StringBuilder("l0: &l0 [x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 10; i++) {
            bomb.append("l").append(i).append(": &l").append(i).append(" [").append(String.join(", ",
                    java.util.Collections.nCopies(9, "*l" + (i - 1)))).append("]\n");
        }
        c.add(spec("YAML alias bomb", bomb.toString(), "l9: unknown field"));
        c.add(spec("nesting 5000 deep", "id: " + "[".repeat(5000) + "]".repeat(5000) + "\n", "not valid YAML"));
        c.add(new Case("file over 1 MiB", ("# " + "x".repeat(1 << 20) + "\n" + VALID).getBytes(StandardCharsets.UTF_8), List.of(), "a spec is at most"));
        // shape and types
        c.add(broken("unknown top-level field", "\nseed: 0", "\nseed: 0\nseeds: 1", "seeds: unknown field"));
        c.add(broken("unknown stage field", "sweep: true", "sweep: true\n    retries: 3", "retries: unknown field"));
        c.add(broken("id of the wrong type", "id: reliability/bad-input", "id: 42", "id: must be a non-empty string"));
        c.add(broken("id not paper/figure", "id: reliability/bad-input", "id: Fig1", "must look like paper/figure"));
        c.add(broken("negative seed", "\nseed: 0", "\nseed: -1", "seed: must be a non-negative integer"));
        c.add(broken("seed of the wrong type", "\nseed: 0", "\nseed: zero", "seed: must be a non-negative integer"));
        c.add(broken("no stages", VALID.substring(VALID.indexOf("stages:"), VALID.indexOf("profiles:")), "stages: []\n", "stages: required"));
        c.add(broken("unknown task kind", "kind: diagonal-toy/train", "kind: diagonal-toy/trian", "unknown task kind 'diagonal-toy/trian'"));
        c.add(broken("param of the wrong type", "learning_rate: 0.02", "learning_rate: fast", "learning_rate"));
        c.add(broken("misspelled param", "tau_max: 1.5", "tau_mxa: 1.5", "stages (train).params.tau_mxa: unknown parameter (did you mean tau_max?)"));
        c.add(broken("old camelCase name", "learning_rate: 0.02", "learningRate: 0.02",
                "learningRate: unknown parameter (did you mean learning_rate? spec params are snake_case)"));
        c.add(broken("param a mapping", "log_every: 2", "log_every: {every: 2}", "log_every: must be a number, string, boolean"));
        c.add(broken("sweep axis empty", "alpha: [1.0e-1, 1.0e-8]", "alpha: []", "must be a non-empty list"));
        c.add(broken("sweep value repeated", "alpha: [1.0e-1, 1.0e-8]", "alpha: [0.1, 0.1]", "appears twice"));
        c.add(broken("integer beyond 64 bits", "data_seed: 0", "data_seed: 123456789012345678901234567890", "is too large"));
        c.add(broken("non-finite number", "learning_rate: 0.02", "learning_rate: .inf", "'.inf'"));
        c.add(broken("unknown profile", "smoke: {set", "huge: {set", "profiles.huge: unknown profile"));
        c.add(broken("profile overrides a missing param", "train.tau_max: 1.0", "train.tau_maxx: 1.0", "train.tau_maxx: unknown parameter (did you mean tau_max?)"));
        // sizes
        c.add(broken("negative sample count", "samples: 16", "samples: -16", "samples: must be > 0"));
        c.add(broken("zero tokens", "tokens: 4", "tokens: 0", "tokens: must be > 0"));
        c.add(broken("huge data set", "samples: 16", "samples: 2000000000", "too large for this toy"));
        c.add(broken("training for ever", "tau_max: 1.5", "tau_max: 1.0e12", "steps exceeds"));
        c.add(broken("sweep too wide", "sweep: {alpha: [1.0e-1, 1.0e-8]}", "sweep: {alpha: [" + numbers(0.001, 120)
                + "], beta: [" + numbers(1, 100) + "]}", "sweep points; at most"));
        c.add(spec("transformer beyond this machine's memory", TRANSFORMER, "more than this machine's"));
        c.add(spec("data folder through ..", """
                id: reliability/escape
                title: "data read from outside the workspace"
                stages:
                  - {name: prepare, kind: data/prepare, params: {dataset: sklearn-digits, root: "../../../etc"}}
                """, "must not contain '..'"));
        // the command line
        c.add(args("--workdir at the root", "is the file system root", "--workdir", "/"));
        c.add(args("--workdir through ..", "must not contain '..'", "--workdir", "$TMP/a/../../work"));
        c.add(args("--workdir a link to /", "is the file system root", "--workdir", "$TMP/root-link"));
        c.add(args("--workdir in /etc", "inside the system folder /etc", "--workdir", "/etc/rankrepro-work"));
        c.add(args("--workdir an existing file", "exists and is not a folder", "--workdir", "$TMP/a-file"));
        c.add(args("--results at the root", "is the file system root", "--results", "/"));
        c.add(args("--results through ..", "must not contain '..'", "--results", "../results"));
        c.add(args("--workers 0", "--workers must be between 1 and 256", "--workers", "0"));
        c.add(args("--workers negative", "--workers must be between 1 and 256", "--workers", "-3"));
        c.add(args("--workers huge", "--workers must be between 1 and 256", "--workers", "1000000"));
        c.add(args("--workers not a number", "Invalid value for option '--workers'", "--workers", "two"));
        c.add(args("unknown --runner", "--runner must be local or docker", "--runner", "podman"));
        c.add(args("unknown --profile", "profile 'huge' is not one of", "--profile", "huge"));
        c.add(args("--set without =", "expected STAGE.PARAM=VALUE", "--set", "train.tau_max"));
        c.add(args("--set of a missing param", "--set train.steps: unknown parameter (parameters: alpha, learning_rate", "--set", "train.steps=10"));
        c.add(args("--set of a misspelled param", "--set train.learning_rat: unknown parameter (did you mean learning_rate?)", "--set", "train.learning_rat=0.1"));
        c.add(args("--set of the wrong type", "must be a number like its default", "--set", "train.tau_max=long"));
        c.add(args("--set a negative rate", "learning_rate: must be > 0", "--set", "train.learning_rate=-0.5"));
        c.add(args("unknown option", "Unknown option: '--nope'", "--nope"));
        c.add(new Case("spec missing", null, List.of("run", "--spec", "$TMP/no-such.yaml"), "file not found"));
        c.add(new Case("spec is a folder", null, List.of("run", "--spec", "$TMP"), "is a directory"));
        c.add(new Case("no --spec", null, List.of("run"), "--spec FILE is required"));
        c.add(new Case("task id unknown", null, List.of("task", "--spec", "$SPEC", "--task", "train[alpha=7]",
                "--workdir", "$WORK", "--tracking-uri", "http://127.0.0.1:9"), "train[alpha=7]"));
        c.add(new Case("task --workdir at the root", null, List.of("task", "--spec", "$SPEC", "--task", "prepare",
                "--workdir", "/", "--tracking-uri", "http://127.0.0.1:9"), "is the file system root"));
        return c;
    }

    @TestFactory
    Stream<DynamicTest> eachExitsWithTwoSaysWhyAndLeavesNothing() {
        List<Case> cases = cases();
        assertTrue(cases.size() >= 30, "at least 30 cases, have " + cases.size());
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
    }

    private static void check(Case c) throws IOException {
        Path tmp = Files.createTempDirectory("bad-input");
        try {
            Path spec = Files.write(tmp.resolve("spec.yaml"), c.spec() == null ? VALID.getBytes(StandardCharsets.UTF_8) : c.spec());
            Files.writeString(tmp.resolve("a-file"), "not a folder");
            Files.createSymbolicLink(tmp.resolve("root-link"), Path.of("/"));
            Set<String> before = listing(tmp);
            List<String> args = new ArrayList<>();
            if (c.args().isEmpty() || c.args().get(0).startsWith("--")) {
                // a run of the spec with everything valid but what the case changes
                args.add("run");
                Map<String, String> defaults = new LinkedHashMap<>(Map.of("--spec", "$SPEC", "--workdir", "$WORK",
                        "--results", "$RESULTS", "--tracking-uri", "http://127.0.0.1:9"));
                c.args().forEach(defaults::remove);
                defaults.forEach((k, v) -> args.addAll(List.of(k, v)));
            }
            args.addAll(c.args());
            String[] resolved = args.stream().map(a -> a.replace("$SPEC", spec.toString()).replace("$WORK", tmp.resolve("work").toString())
                    .replace("$RESULTS", tmp.resolve("results").toString()).replace("$TMP", tmp.toString())).toArray(String[]::new);
            Cli r = Cli.run(resolved);
            assertEquals(2, r.code(), c.name() + ": " + r);
            assertTrue(r.err().contains(c.expected()), c.name() + ": message should say '" + c.expected() + "'\n" + r);
            assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), c.name() + ": a message, not a stack trace\n" + r);
            assertEquals(before, listing(tmp), c.name() + ": nothing may be left behind");
            assertFalse(Files.exists(Path.of("/etc/rankrepro-work")), "nothing written to /etc");
        } finally {
            try (Stream<Path> walk = Files.walk(tmp)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static Set<String> listing(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) { // never following links: one of them points at /
            return walk.map(p -> dir.relativize(p).toString()).collect(java.util.stream.Collectors.toCollection(TreeSet::new));
        }
    }

    private static String numbers(double start, int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.append(i == 0 ? "" : ", ").append(start * (i + 1));
        }
        return s.toString();
    }
}
