package io.rankrepro.pipeline.spec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpecLoaderTest {
    private static final String VALID = """
            id: test/chain
            title: T
            seed: 3
            sweep: {x: [1, 2]}
            stages:
              - {name: a, kind: test/emit, params: {factor: 1.0}}
              - {name: b, kind: test/emit, sweep: true, params: {factor: 2.0}}
              - {name: d, kind: test/gather, gather: true}
            profiles:
              smoke: {sweep: {x: [1]}, set: {b.factor: 5.0}}
            """;

    @Test
    void loadsAValidSpec() throws Exception {
        ExperimentSpec s = SpecLoader.parse("valid.yaml", VALID.getBytes(StandardCharsets.UTF_8));
        assertEquals("test/chain", s.id());
        assertEquals(3, s.seed());
        assertEquals(List.of(1L, 2L), s.sweep().get("x"));
        assertEquals(3, s.stages().size());
        assertTrue(s.stages().get(1).sweep());
        assertTrue(s.stages().get(2).gather());
        assertEquals(5.0, s.profiles().get("smoke").set().get("b.factor"));
        assertEquals(64, s.sha256().length());
    }

    /** Each malformed spec: a fragment to substitute, and text the error must contain (file + field + problem). */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "missing id            | 'id: test/chain' | ''                                  | id: required",
            "bad id                | 'id: test/chain' | 'id: Not An Id'                     | id: 'Not An Id' must look like",
            "unknown top field     | 'seed: 3'        | 'seed: 3\\nsede: 4'                 | sede: unknown field",
            "negative seed         | 'seed: 3'        | 'seed: -1'                          | seed: must be a non-negative integer",
            "seed of wrong type    | 'seed: 3'        | 'seed: three'                       | seed: must be a non-negative integer",
            "empty sweep axis      | 'sweep: {x: [1, 2]}' | 'sweep: {x: []}'                | sweep.x: must be a non-empty list",
            "duplicate sweep value | 'sweep: {x: [1, 2]}' | 'sweep: {x: [1, 1]}'            | sweep.x: value 1 appears twice",
            "stage without kind    | '{name: a, kind: test/emit, params: {factor: 1.0}}' | '{name: a, params: {factor: 1.0}}' | stages[0] (a).kind: required",
            "duplicate stage       | '{name: b, kind: test/emit, sweep: true, params: {factor: 2.0}}' | '{name: a, kind: test/emit, sweep: true, params: {factor: 2.0}}' | stage 'a' is declared twice",
            "nested param          | 'params: {factor: 1.0}' | 'params: {factor: {deep: 1}}'  | stages[0] (a).params.factor: must be a number, string, boolean",
            "sweep flag not bool   | 'sweep: true, params: {factor: 2.0}' | 'sweep: yes please, params: {factor: 2.0}' | stages[1] (b).sweep: must be true or false",
            "gather without sweep  | 'sweep: true, params: {factor: 2.0}' | 'params: {factor: 2.0}' | nothing to gather",
            "unknown profile       | 'smoke: {'       | 'fast: {'                           | profiles.fast: unknown profile",
            "override unknown stage| 'b.factor: 5.0'  | 'z.factor: 5.0'                     | profiles.smoke.set.z.factor: no stage named 'z'",
            "profile sweeps unknown axis | 'sweep: {x: [1]}, set' | 'sweep: {y: [1]}, set'   | profiles.smoke.sweep.y: not a sweep axis",
            "stages not a list     | 'stages:'        | 'stages: 3\\nunused:'               | stages: required, a non-empty list",
    })
    void rejectsMalformedSpecsNamingTheField(String name, String from, String to, String expected) {
        String text = VALID.replace(from, to.replace("\\n", "\n"));
        SpecException e = assertThrows(SpecException.class, () -> SpecLoader.parse("bad.yaml", text.getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().startsWith("invalid spec bad.yaml:"), e.getMessage());
        assertTrue(e.getMessage().contains(expected), () -> "expected '" + expected + "' in:\n" + e.getMessage());
    }

    @Test
    void rejectsEmptyNonUtf8AndNonYamlFiles() {
        assertMessage(new byte[0], "file is empty");
        assertMessage("   \n".getBytes(StandardCharsets.UTF_8), "file is empty");
        assertMessage(new byte[] {'i', 'd', ':', ' ', (byte) 0xC3, (byte) 0x28}, "not valid UTF-8");
        assertMessage("id: [unclosed".getBytes(StandardCharsets.UTF_8), "not valid YAML at line");
        assertMessage("- just\n- a list\n".getBytes(StandardCharsets.UTF_8), "top level must be a mapping");
    }

    @Test
    void reportsEveryProblemAtOnce() {
        String text = "id: X\ntitle: 5\nstages: []\nextra: 1\n";
        SpecException e = assertThrows(SpecException.class, () -> SpecLoader.parse("many.yaml", text.getBytes(StandardCharsets.UTF_8)));
        assertEquals(4, e.problems().size(), e.getMessage());
    }

    @Test
    void missingFileAndDirectoryAreClearErrors(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        SpecException missing = assertThrows(SpecException.class, () -> SpecLoader.load(dir.resolve("nope.yaml")));
        assertTrue(missing.getMessage().contains("file not found"));
        SpecException isDir = assertThrows(SpecException.class, () -> SpecLoader.load(dir));
        assertTrue(isDir.getMessage().contains("is a directory"));
        Path huge = Files.write(dir.resolve("huge.yaml"), new byte[(int) SpecLoader.MAX_BYTES + 1]);
        assertTrue(assertThrows(SpecException.class, () -> SpecLoader.load(huge)).getMessage().contains("a spec is at most"));
    }

    private static void assertMessage(byte[] bytes, String expected) {
        SpecException e = assertThrows(SpecException.class, () -> SpecLoader.parse("f.yaml", bytes));
        assertTrue(e.getMessage().contains(expected), () -> "expected '" + expected + "' in " + e.getMessage());
    }
}
