package io.rankrepro.pipeline.report;

import io.rankrepro.pipeline.claims.ClaimRegister;
import io.rankrepro.pipeline.claims.RegisteredClaim;
import io.rankrepro.tasks.task.ClaimCheck;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The reproduction report as one self-contained HTML page: no scripts, no fonts or styles from
 * elsewhere, images embedded as data URIs, so it opens offline from {@code file://} and survives
 * being copied or logged to MLflow as a single file. A summary table (one row per figure) on top,
 * then per paper, per figure: the figure, its claims with measured numbers, how it was run and
 * links to the MLflow runs and artifact hashes.
 */
public final class ReportPage {
    /** Paper keys (the part of an experiment id before '/') and how the papers are cited. */
    private static final Map<String, String> PAPERS = Map.of(
            "kobayashi2024", "Kobayashi, Akram, von Oswald — Weight decay induces low-rank attention layers (NeurIPS 2024)",
            "boix2023", "Boix-Adsera, Littwin, Abbe, Bengio, Susskind — Transformers learn through gradual rank increase (NeurIPS 2023)");
    private static final List<String> PROFILE_ORDER = List.of("smoke", "cpu", "paper");

    private final String linkUri;
    private final List<ClaimRegister> registers;
    private final StringBuilder html = new StringBuilder();

    private ReportPage(String linkUri, List<ClaimRegister> registers) {
        this.linkUri = linkUri;
        this.registers = List.copyOf(registers);
    }

    /**
     * @param registers the papers' claims registers, whose words and criteria stand beside each measured claim
     * @param linkUri   the MLflow address to link runs under; null for the one each run logged to
     */
    public static String render(List<ReportEntry> entries, List<ClaimRegister> registers, String linkUri, Instant generatedAt) {
        List<ReportEntry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparing((ReportEntry e) -> e.summary().experiment())
                .thenComparing(e -> profileRank(e.summary().profile())));
        ReportPage page = new ReportPage(linkUri, registers);
        page.document(sorted, generatedAt);
        return page.html.toString();
    }

    private void document(List<ReportEntry> entries, Instant generatedAt) {
        long claims = entries.stream().mapToLong(e -> e.summary().claims().size()).sum();
        long passed = entries.stream().mapToLong(e -> e.summary().claimsPassed()).sum();
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>rankrepro — reproduction report</title>\n<style>\n").append(CSS).append("</style>\n</head>\n<body>\n")
                .append("<h1>rankrepro — reproduction report</h1>\n<p class=\"meta\">")
                .append(entries.size()).append(entries.size() == 1 ? " figure, " : " figures, ")
                .append(passed).append(" of ").append(claims).append(" paper claims reproduced · generated ")
                .append(esc(generatedAt.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString())).append("</p>\n");
        summaryTable(entries);
        claimsByProfile(entries);
        Map<String, List<ReportEntry>> byPaper = new LinkedHashMap<>();
        entries.stream().sorted(Comparator.comparing(e -> paperKey(e.summary())))
                .forEach(e -> byPaper.computeIfAbsent(paperKey(e.summary()), k -> new ArrayList<>()).add(e));
        byPaper.forEach((paper, list) -> {
            html.append("<section class=\"paper\">\n<h2>").append(esc(PAPERS.getOrDefault(paper, paper))).append("</h2>\n");
            list.forEach(this::figure);
            html.append("</section>\n");
        });
        html.append("</body>\n</html>\n");
    }

    private void summaryTable(List<ReportEntry> entries) {
        html.append("<table id=\"summary\">\n<thead><tr><th>experiment</th><th>title</th><th>profile</th>")
                .append("<th>claims reproduced</th><th>wall time</th><th>outcome</th></tr></thead>\n<tbody>\n");
        for (ReportEntry e : entries) {
            RunSummary s = e.summary();
            html.append("<tr class=\"figure-row ").append(outcomeClass(s)).append("\"><td><a href=\"#").append(anchor(s)).append("\">")
                    .append(esc(s.experiment())).append("</a></td><td>").append(esc(s.title())).append("</td><td>")
                    .append(esc(s.profile())).append("</td><td class=\"num\">").append(s.claimsPassed()).append(" / ")
                    .append(s.claims().size()).append("</td><td class=\"num\">").append(seconds(s.wallSeconds()))
                    .append("</td><td>").append(esc(outcome(s))).append("</td></tr>\n");
        }
        html.append("</tbody>\n</table>\n");
    }

    private void figure(ReportEntry e) {
        RunSummary s = e.summary();
        html.append("<article class=\"figure ").append(outcomeClass(s)).append("\" id=\"").append(anchor(s)).append("\">\n")
                .append("<h3>").append(esc(s.experiment())).append(" — ").append(esc(s.title())).append("</h3>\n")
                .append("<p class=\"outcome\">").append(esc(outcome(s))).append("</p>\n<dl>\n");
        item("paper", s.paper());
        item("profile", s.profile());
        item("data", s.data());
        item("wall time", seconds(s.wallSeconds()) + " this run; " + seconds(s.computeSeconds())
                + " of task compute (cached tasks at their original cost)");
        item("run", "started " + s.startedAt() + ", seed " + s.seed() + ", code " + s.codeVersion());
        html.append("</dl>\n");
        if (s.images().isEmpty()) {
            html.append("<p class=\"missing\">No figure: ").append(s.ok() ? "the figure task wrote no PNG." : "the run failed.").append("</p>\n");
        }
        for (RunSummary.ResultFile img : s.images()) {
            byte[] bytes = e.images().get(img.path());
            if (bytes == null) {
                html.append("<p class=\"missing\">").append(esc(img.path()))
                        .append(" is missing or no longer matches sha256 ").append(esc(img.sha256())).append("</p>\n");
                continue;
            }
            html.append("<figure><img class=\"figure-image\" alt=\"").append(esc(s.experiment() + " " + img.path()))
                    .append("\" src=\"data:image/png;base64,").append(Base64.getEncoder().encodeToString(bytes))
                    .append("\"><figcaption>").append(esc(img.path())).append("</figcaption></figure>\n");
        }
        claims(s);
        sanity(s.sanityChecks());
        links(s);
        tasks(s);
        hashes(e);
        html.append("</article>\n");
    }

    private void claims(RunSummary s) {
        List<ClaimCheck> claims = s.claims();
        if (claims.isEmpty()) {
            html.append("<p class=\"missing\">No claims were checked.</p>\n");
            return;
        }
        html.append("<table class=\"claims\">\n<thead><tr><th>claim</th><th>the paper reports</th><th>we measured</th>")
                .append("<th>criterion</th><th>result</th></tr></thead>\n<tbody>\n");
        for (ClaimCheck c : claims) {
            RegisteredClaim r = ClaimRegister.find(registers, s.experiment(), c.id()).orElse(null);
            html.append("<tr class=\"claim ").append(c.passed() ? "pass" : "fail").append("\"><td><b>").append(esc(c.id()))
                    .append("</b><br>").append(esc(r != null ? r.words() : c.claim()));
            if (r != null) {
                html.append("<br><span class=\"source\">").append(esc(r.source())).append("</span>");
            } else {
                html.append("<br><span class=\"missing\">not in the claims register</span>");
            }
            html.append("</td><td>").append(esc(r != null ? r.paperReports() : "")).append("</td><td>").append(esc(c.measured()));
            if (c.effect() != null) {
                html.append("<br><span class=\"effect\">effect ").append(esc(EffectText.of(c.effect()))).append("</span>");
            }
            html.append("</td><td>").append(esc(c.criterion()));
            if (r != null) {
                html.append("<br><span class=\"why\">why: ").append(esc(r.rationale())).append("</span>");
            }
            html.append("</td><td class=\"verdict\">").append(c.passed() ? "reproduced" : "did not reproduce").append("</td></tr>\n");
        }
        html.append("</tbody>\n</table>\n");
    }

    private void sanity(List<ClaimCheck> checks) {
        if (checks.isEmpty()) {
            return;
        }
        long held = checks.stream().filter(ClaimCheck::passed).count();
        html.append("<details class=\"sanity\"").append(held < checks.size() ? " open" : "").append("><summary>")
                .append(held).append(" of ").append(checks.size()).append(" sanity checks of the code held (not counted as claims)</summary>\n")
                .append("<table class=\"sanity\">\n<thead><tr><th>check</th><th>measured</th><th>criterion</th><th>result</th></tr></thead>\n<tbody>\n");
        for (ClaimCheck c : checks) {
            html.append("<tr class=\"claim ").append(c.passed() ? "pass" : "fail").append("\"><td><b>").append(esc(c.id())).append("</b><br>")
                    .append(esc(c.claim())).append("</td><td>").append(esc(c.measured())).append("</td><td>").append(esc(c.criterion()))
                    .append("</td><td class=\"verdict\">").append(c.passed() ? "held" : "FAILED").append("</td></tr>\n");
        }
        html.append("</tbody>\n</table>\n</details>\n");
    }

    /** For figures run at more than one profile: at which scale each claim starts to reproduce. */
    private void claimsByProfile(List<ReportEntry> entries) {
        Map<String, Map<String, RunSummary>> byExperiment = new LinkedHashMap<>();
        entries.forEach(e -> byExperiment.computeIfAbsent(e.summary().experiment(), k -> new LinkedHashMap<>())
                .put(e.summary().profile(), e.summary()));
        byExperiment.values().removeIf(profiles -> profiles.size() < 2);
        if (byExperiment.isEmpty()) {
            return;
        }
        List<String> profiles = byExperiment.values().stream().flatMap(m -> m.keySet().stream()).distinct()
                .sorted(Comparator.comparing(ReportPage::profileRank)).toList();
        html.append("<h2>Claims by profile</h2>\n<table id=\"claims-by-profile\">\n<thead><tr><th>experiment</th><th>claim</th>");
        profiles.forEach(p -> html.append("<th>").append(esc(p)).append("</th>"));
        html.append("</tr></thead>\n<tbody>\n");
        byExperiment.forEach((experiment, runs) -> {
            List<String> ids = runs.values().stream().flatMap(r -> r.claims().stream()).map(ClaimCheck::id).distinct().toList();
            for (String id : ids) {
                html.append("<tr><td>").append(esc(experiment)).append("</td><td>").append(esc(id)).append("</td>");
                for (String p : profiles) {
                    ClaimCheck c = runs.containsKey(p)
                            ? runs.get(p).claims().stream().filter(x -> x.id().equals(id)).findFirst().orElse(null) : null;
                    if (c == null) {
                        html.append("<td class=\"missing\">—</td>");
                        continue;
                    }
                    html.append("<td class=\"claim ").append(c.passed() ? "pass" : "fail").append("\"><span class=\"verdict\">")
                            .append(c.passed() ? "reproduced" : "did not reproduce").append("</span>");
                    if (c.effect() != null) {
                        html.append("<br>").append(esc(EffectText.num(c.effect().estimate()))).append(" [")
                                .append(esc(EffectText.num(c.effect().low()))).append(", ").append(esc(EffectText.num(c.effect().high())))
                                .append("], ").append(c.effect().seeds()).append(c.effect().seeds() == 1 ? " run" : " seeds");
                    }
                    html.append("</td>");
                }
                html.append("</tr>\n");
            }
        });
        html.append("</tbody>\n</table>\n");
    }

    private void links(RunSummary s) {
        html.append("<p class=\"links\">MLflow: ");
        if (s.parentRunId() == null) {
            html.append("not tracked (run with --no-tracking)</p>\n");
            return;
        }
        html.append(link(s, s.parentRunId(), "DAG run " + s.parentRunId()));
        if (s.figureRunId() != null) {
            html.append(" · ").append(link(s, s.figureRunId(), "figure run " + s.figureRunId()));
        }
        html.append("</p>\n");
    }

    private void tasks(RunSummary s) {
        html.append("<details><summary>").append(s.tasks().size()).append(" tasks</summary>\n<table class=\"tasks\">\n")
                .append("<thead><tr><th>task</th><th>kind</th><th>status</th><th>wall</th><th>key</th><th>MLflow run</th></tr></thead>\n<tbody>\n");
        for (RunSummary.TaskResult t : s.tasks()) {
            html.append("<tr><td>").append(esc(t.id())).append("</td><td>").append(esc(t.kind())).append("</td><td title=\"")
                    .append(esc(t.reason())).append("\">").append(esc(t.status().toLowerCase(java.util.Locale.ROOT)))
                    .append("</td><td class=\"num\">").append(seconds(t.computeSeconds())).append("</td><td><code>")
                    .append(esc(t.key() == null ? "" : t.key().substring(0, Math.min(12, t.key().length()))))
                    .append("</code></td><td>").append(t.runId() == null ? "" : link(s, t.runId(), t.runId())).append("</td></tr>\n");
        }
        html.append("</tbody>\n</table>\n</details>\n");
    }

    private void hashes(ReportEntry e) {
        RunSummary s = e.summary();
        html.append("<details><summary>artifact hashes</summary>\n<table class=\"hashes\">\n<thead><tr><th>file</th><th>sha256</th></tr></thead>\n<tbody>\n");
        for (RunSummary.ResultFile f : s.files()) {
            html.append("<tr><td>").append(esc(f.path())).append("</td><td><code>").append(esc(f.sha256())).append("</code></td></tr>\n");
        }
        html.append("</tbody>\n</table>\n");
        if (e.provenanceHref() != null) {
            html.append("<p>Provenance (figure → tables → checkpoints → training → data): <a href=\"")
                    .append(esc(e.provenanceHref())).append("\">provenance.json</a>; <code>rankrepro provenance ")
                    .append(esc(s.experiment())).append(" --profile ").append(esc(s.profile())).append(" --verify</code></p>\n");
        }
        html.append("</details>\n");
    }

    private void item(String term, String value) {
        html.append("<dt>").append(esc(term)).append("</dt><dd>").append(esc(value)).append("</dd>\n");
    }

    private String link(RunSummary s, String runId, String text) {
        String base = linkUri != null ? linkUri : s.trackingUri();
        if (base == null || s.mlflowExperimentId() == null) {
            return esc(text);
        }
        String url = stripSlash(base) + "/#/experiments/" + s.mlflowExperimentId() + "/runs/" + runId;
        return "<a href=\"" + esc(url) + "\">" + esc(text) + "</a>";
    }

    static String outcome(RunSummary s) {
        if (!s.ok()) {
            return "run failed";
        }
        if (s.claims().isEmpty()) {
            return "no claims checked";
        }
        String sanity = s.sanityChecks().stream().allMatch(ClaimCheck::passed) ? "" : "; a sanity check of the code FAILED";
        return (s.reproduced() ? "reproduced" : "did not reproduce (" + s.claimsPassed() + " of " + s.claims().size() + " claims)") + sanity;
    }

    private static String outcomeClass(RunSummary s) {
        return !s.ok() ? "failed" : s.reproduced() ? "pass" : "fail";
    }

    private static String anchor(RunSummary s) {
        return "fig-" + (s.experiment() + "-" + s.profile()).replaceAll("[^A-Za-z0-9_-]", "-");
    }

    private static String paperKey(RunSummary s) {
        int slash = s.experiment().indexOf('/');
        return slash < 0 ? s.experiment() : s.experiment().substring(0, slash);
    }

    private static int profileRank(String profile) {
        int i = PROFILE_ORDER.indexOf(profile);
        return i < 0 ? PROFILE_ORDER.size() : i;
    }

    private static String seconds(double s) {
        return s < 120 ? String.format(java.util.Locale.ROOT, "%.1f s", s)
                : String.format(java.util.Locale.ROOT, "%d min %02d s", (long) s / 60, (long) s % 60);
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static final String CSS = """
            body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto; max-width: 1100px; padding: 0 1em; color: #222; }
            h1 { margin-bottom: .2em; } .meta { color: #666; margin-top: 0; }
            table { border-collapse: collapse; width: 100%; margin: .8em 0; }
            th, td { border: 1px solid #ddd; padding: .35em .55em; text-align: left; vertical-align: top; }
            th { background: #f5f5f5; } td.num { text-align: right; white-space: nowrap; }
            tr.pass td:last-child, .claim.pass .verdict { color: #11683a; font-weight: 600; }
            tr.fail td:last-child, .claim.fail .verdict, tr.failed td:last-child { color: #a3261b; font-weight: 600; }
            section.paper { margin-top: 2.5em; } h2 { border-bottom: 2px solid #333; padding-bottom: .2em; }
            article.figure { border-left: 4px solid #bbb; padding: .2em 0 .2em 1em; margin: 2em 0; }
            article.pass { border-color: #2e9d5b; } article.fail, article.failed { border-color: #c0392b; }
            .outcome { font-weight: 600; } article.pass .outcome { color: #11683a; } article.fail .outcome, article.failed .outcome { color: #a3261b; }
            dl { display: grid; grid-template-columns: max-content 1fr; gap: .15em 1em; } dt { color: #666; } dd { margin: 0; }
            figure { margin: 1em 0; } img.figure-image { max-width: 100%; border: 1px solid #eee; }
            figcaption { color: #666; font-size: .85em; } code { font-size: .85em; word-break: break-all; }
            .source, .why, .effect { color: #555; font-size: .88em; }
            .missing { color: #a3261b; } details { margin: .5em 0; } summary { cursor: pointer; color: #333; }
            """;
}
