package io.rankrepro.pipeline.claims;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code docs/CLAIMS.md}: the registers rendered for reading, one section per paper and figure. */
public final class ClaimsDocument {
    /** Papers in the order the project names them: A, then B; any other after them. */
    private static final Map<String, String> PAPERS = Map.of(
            "kobayashi2024", "Paper A — Kobayashi, Akram, von Oswald: Weight decay induces low-rank attention layers (NeurIPS 2024)",
            "boix2023", "Paper B — Boix-Adsera, Littwin, Abbe, Bengio, Susskind: Transformers learn through gradual rank increase (NeurIPS 2023)");
    private static final List<String> ORDER = List.of("kobayashi2024", "boix2023");

    private ClaimsDocument() { }

    public static String render(List<ClaimRegister> registers) {
        StringBuilder md = new StringBuilder();
        md.append("# The papers' claims, and how rankrepro tests them\n\n")
                .append("Rendered from `pipeline/claims/*.yaml` by `rankrepro claims --write docs/CLAIMS.md`; edit those files, not this one.\n")
                .append("Each claim is stated in the paper's words with where it is made, the statistic measured, the criterion and\n")
                .append("why it reads the claim fairly. A criterion is committed before the run that tests it (see `git log` of the\n")
                .append("register) and never loosened after a result. A claim reproduces when its effect is in the paper's direction\n")
                .append("beyond its interval over seeds. Checks of our own code (identities, fits) are reported apart as sanity\n")
                .append("checks and are not counted here.\n");
        List<ClaimRegister> ordered = new java.util.ArrayList<>(registers);
        ordered.sort(java.util.Comparator.comparing((ClaimRegister r) -> ORDER.contains(r.paper()) ? ORDER.indexOf(r.paper()) : ORDER.size())
                .thenComparing(ClaimRegister::paper));
        for (ClaimRegister r : ordered) {
            md.append("\n## ").append(PAPERS.getOrDefault(r.paper(), r.paper())).append("\n\n")
                    .append(r.claims().size()).append(r.claims().size() == 1 ? " claim.\n" : " claims.\n");
            Map<String, List<RegisteredClaim>> byFigure = new LinkedHashMap<>();
            r.claims().forEach(c -> byFigure.computeIfAbsent(c.figure(), k -> new java.util.ArrayList<>()).add(c));
            byFigure.forEach((figure, claims) -> {
                md.append("\n### ").append(figure).append("\n");
                for (RegisteredClaim c : claims) {
                    md.append("\n**`").append(c.id()).append("`** — ").append(oneLine(c.words())).append(" (").append(oneLine(c.source())).append(")\n\n")
                            .append("- the paper reports: ").append(oneLine(c.paperReports())).append("\n")
                            .append("- statistic: ").append(oneLine(c.statistic())).append("\n")
                            .append("- criterion: ").append(oneLine(c.criterion())).append("\n")
                            .append("- why it is fair: ").append(oneLine(c.rationale())).append("\n");
                }
            });
        }
        return md.toString();
    }

    private static String oneLine(String s) {
        return s.strip().replaceAll("\\s*\\n\\s*", " ");
    }
}
