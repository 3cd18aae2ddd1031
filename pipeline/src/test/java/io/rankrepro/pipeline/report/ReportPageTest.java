package io.rankrepro.pipeline.report;

import io.rankrepro.pipeline.claims.ClaimRegister;
import io.rankrepro.pipeline.claims.RegisteredClaim;
import io.rankrepro.tasks.task.ClaimCheck;
import io.rankrepro.tasks.task.Effect;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportPageTest {
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G'};

    private static RunSummary summary(String id, String profile, boolean ok, List<ClaimCheck> checks) {
        return new RunSummary(id, "title of " + id, "paper", "synthetic", profile, 0, "code", "http://mlflow:5000", "7",
                "parent" + id.hashCode(), "2026-01-01T00:00:00Z", 12.5, ok,
                List.of(new RunSummary.TaskResult("figure", "figure", "k/fig", ok ? "RAN" : "FAILED", "", "ab".repeat(32), "figrun", 1, 1)),
                ok ? List.of(new RunSummary.ResultFile("fig.png", "f".repeat(64), "figure", "figrun")) : List.of(), checks);
    }

    @Test
    void oneSummaryRowPerFigureWithOutcomesGroupedByPaper() {
        ClaimCheck pass = new ClaimCheck("a", "claim <a> & more", "x = 1", "x ≥ 0", true);
        ClaimCheck fail = new ClaimCheck("b", "claim b", "y = -1", "y ≥ 0", false);
        List<ReportEntry> entries = List.of(
                new ReportEntry(summary("kobayashi2024/fig1", "smoke", true, List.of(pass)), Map.of("fig.png", PNG), "../k/provenance.json"),
                new ReportEntry(summary("boix2023/fig3", "cpu", true, List.of(pass, fail)), Map.of(), null),
                new ReportEntry(summary("boix2023/fig4", "cpu", false, List.of()), Map.of(), null));
        String html = ReportPage.render(entries, List.of(), null, Instant.parse("2026-01-02T03:04:05Z"));

        String table = html.substring(html.indexOf("<table id=\"summary\">"), html.indexOf("</table>"));
        assertEquals(3, table.split("class=\"figure-row").length - 1, table);
        assertTrue(table.indexOf("boix2023/fig3") < table.indexOf("kobayashi2024/fig1"), "sorted by experiment");
        assertTrue(html.contains(">reproduced<"), html);
        assertTrue(html.contains("did not reproduce (1 of 2 claims)"));
        assertTrue(html.contains("run failed"));
        assertTrue(html.contains("claim &lt;a&gt; &amp; more"), "claims are escaped");
        assertTrue(html.contains("src=\"data:image/png;base64,iVBORw==\""), "figures are embedded");
        assertTrue(html.contains("fig.png is missing or no longer matches sha256"), "a missing figure is said, not hidden");
        assertTrue(html.contains("href=\"http://mlflow:5000/#/experiments/7/runs/figrun\""));
        assertTrue(html.contains("Transformers learn through gradual rank increase"));
        assertFalse(html.contains("<script"));
        assertFalse(html.contains("<link"));

        String relinked = ReportPage.render(entries, List.of(), "https://mlflow.example.org/", Instant.EPOCH);
        assertTrue(relinked.contains("href=\"https://mlflow.example.org/#/experiments/7/runs/figrun\""), "--link-uri replaces the recorded server");
    }

    @Test
    void claimsStandBesideTheRegisterSanityChecksApartAndProfilesSideBySide() {
        Effect smokeEffect = Effect.overSeeds("rank drop", new double[] {0.5, -0.4, 0.1}, 0);
        Effect cpuEffect = Effect.overSeeds("rank drop", new double[] {2.0, 2.2, 1.9}, 0);
        ClaimCheck identity = ClaimCheck.sanity("gap-nonnegative", "Δ ≥ 0", "min Δ = 0", "min Δ ≥ −1e-12", true);
        List<ReportEntry> entries = List.of(
                new ReportEntry(summary("kobayashi2024/fig3", "smoke", true,
                        List.of(ClaimCheck.claim("rank-falls", "rank falls", "drop 0.07", "drop > 0", smokeEffect), identity)), Map.of(), null),
                new ReportEntry(summary("kobayashi2024/fig3", "cpu", true,
                        List.of(ClaimCheck.claim("rank-falls", "rank falls", "drop 2.03", "drop > 0", cpuEffect), identity)), Map.of(), null));
        List<ClaimRegister> register = List.of(new ClaimRegister("kobayashi2024", List.of(new RegisteredClaim("rank-falls",
                "kobayashi2024/fig3", "Fig. 3 caption", "the rank decreases with stronger weight decay",
                "rank of W_K^T W_Q falls from 64 to 8", "rank drop per seed", "t interval above 0", "the caption's direction"))));
        String html = ReportPage.render(entries, register, null, Instant.EPOCH);

        assertTrue(html.contains("1 of 2 paper claims reproduced"), "one claim per profile is counted, the sanity check is not");
        assertTrue(html.contains("the rank decreases with stronger weight decay"), "the paper's words from the register");
        assertTrue(html.contains("rank of W_K^T W_Q falls from 64 to 8"), "what the paper reports");
        assertTrue(html.contains("why: the caption&#39;s direction"));
        assertTrue(html.contains("1 of 1 sanity checks of the code held (not counted as claims)"));
        String byProfile = html.substring(html.indexOf("<table id=\"claims-by-profile\">"));
        byProfile = byProfile.substring(0, byProfile.indexOf("</table>"));
        assertTrue(byProfile.indexOf("did not reproduce") < byProfile.indexOf(">reproduced<"), "smoke column before cpu: " + byProfile);
        assertTrue(byProfile.contains("2.033 [" + EffectText.num(cpuEffect.low())), byProfile);
        assertFalse(byProfile.contains("gap-nonnegative"), "sanity checks are not claims: " + byProfile);
    }
}
