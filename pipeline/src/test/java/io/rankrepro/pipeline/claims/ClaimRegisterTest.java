package io.rankrepro.pipeline.claims;

import io.rankrepro.pipeline.cli.RankreproCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClaimRegisterTest {
    /** Surefire runs in the module folder: the registers and docs are one level up. */
    private static final Path REGISTERS = Path.of("claims");
    private static final Path DOC = Path.of("..", "docs", "CLAIMS.md");
    private static final Path SPECS = Path.of("experiments");

    @Test
    void theShippedRegistersLoadAndNameOnlyFiguresThatExist() throws Exception {
        List<ClaimRegister> registers = ClaimRegister.loadAll(REGISTERS);
        assertEquals(List.of("boix2023", "kobayashi2024"), registers.stream().map(ClaimRegister::paper).toList());
        // a figure is a spec id, which need not be its file's name (kobayashi2024/figa1 lives in figA1.yaml)
        java.util.Set<String> specIds = new java.util.HashSet<>();
        try (var files = Files.walk(SPECS)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                Files.readAllLines(f).stream().filter(l -> l.startsWith("id: ")).findFirst()
                        .ifPresent(l -> specIds.add(l.substring(4).trim()));
            }
        }
        for (ClaimRegister r : registers) {
            for (RegisteredClaim c : r.claims()) {
                assertTrue(specIds.contains(c.figure()), c.id() + ": no spec with id " + c.figure());
            }
        }
    }

    @Test
    void theCommittedClaimsDocumentIsTheRenderingOfTheRegisters() throws Exception {
        assertEquals(ClaimsDocument.render(ClaimRegister.loadAll(REGISTERS)), Files.readString(DOC),
                "docs/CLAIMS.md is stale: run `bin/rankrepro claims --write docs/CLAIMS.md`");
        assertEquals(0, RankreproCli.execute("claims", "--dir", REGISTERS.toString(), "--check", DOC.toString()));
    }

    @Test
    void anEntryWithoutItsRationaleOrWithATwiceUsedIdIsRefusedWithItsPlace(@TempDir Path dir) throws Exception {
        String entry = """
                  - id: rank-falls
                    figure: kobayashi2024/fig3
                    source: "Fig. 3"
                    words: "rank falls"
                    paper_reports: "a falling curve"
                    statistic: "drop"
                    criterion: "> 0"
                """;
        Files.writeString(dir.resolve("a.yaml"), "paper: kobayashi2024\nclaims:\n" + entry + "    rationale: fair\n" + entry);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClaimRegister.load(dir.resolve("a.yaml")));
        assertTrue(e.getMessage().contains("claims[1] (rank-falls).rationale: missing"), e.getMessage());
        assertTrue(e.getMessage().contains("the id rank-falls appears twice for kobayashi2024/fig3"), e.getMessage());
        assertEquals(2, RankreproCli.execute("claims", "--dir", dir.toString()));

        Files.writeString(dir.resolve("a.yaml"), "paper: boix2023\nclaims:\n" + entry + "    rationale: fair\n");
        e = assertThrows(IllegalArgumentException.class, () -> ClaimRegister.load(dir.resolve("a.yaml")));
        assertTrue(e.getMessage().contains("kobayashi2024/fig3 is not a figure of boix2023"), e.getMessage());

        Files.writeString(dir.resolve("a.yaml"), "paper: boix2023\nclaim: []\n");
        assertThrows(IllegalArgumentException.class, () -> ClaimRegister.load(dir.resolve("a.yaml")), "unknown field refused");
    }

    @Test
    void theDocumentHasASectionPerPaperAndFigure() {
        RegisteredClaim c = new RegisteredClaim("rank-falls", "kobayashi2024/fig3", "Fig. 3\\ncaption", "rank\n  falls", "curve", "drop",
                "> 0", "fair");
        String md = ClaimsDocument.render(List.of(new ClaimRegister("kobayashi2024", List.of(c))));
        assertTrue(md.contains("## Paper A — Kobayashi"), md);
        assertTrue(md.contains("### kobayashi2024/fig3"), md);
        assertTrue(md.contains("**`rank-falls`** — rank falls ("), "multi-line YAML folded to one line: " + md);
    }
}
