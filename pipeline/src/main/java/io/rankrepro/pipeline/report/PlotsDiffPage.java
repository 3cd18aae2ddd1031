package io.rankrepro.pipeline.report;

import io.rankrepro.tasks.task.ClaimCheck;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static io.rankrepro.pipeline.report.ReportPage.esc;

/**
 * One self-contained HTML page comparing the figures of two runs, as DVC's {@code plots diff} does
 * for its plots: per figure file (matched by name) A and B side by side and B laid over A in
 * difference blend (what did not change is black), then both runs' claim checks in one table, so a
 * reader sees what moved and whether a verdict flipped. Images are embedded: the page needs no server.
 */
public final class PlotsDiffPage {

    /**
     * One run's side.
     *
     * @param label  "A" or "B" with what the run is (profile, code)
     * @param images figure file name → PNG bytes
     */
    public record Side(String label, String runId, String runUrl, Map<String, byte[]> images, List<ClaimCheck> checks) {
        public Side {
            images = new LinkedHashMap<>(images);
            checks = List.copyOf(checks);
        }
    }

    private PlotsDiffPage() {
    }

    public static String render(String title, Side a, Side b) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>plots diff: ").append(esc(title))
                .append("</title>\n<style>\n").append(CSS).append("</style>\n</head>\n<body>\n<h1>Plots diff: ").append(esc(title))
                .append("</h1>\n<table id=\"runs\"><tbody>\n");
        for (Side s : List.of(a, b)) {
            h.append("<tr><th>").append(esc(s.label())).append("</th><td><a href=\"").append(esc(s.runUrl())).append("\">")
                    .append(esc(s.runId())).append("</a></td></tr>\n");
        }
        h.append("</tbody></table>\n");
        Set<String> names = new TreeSet<>(a.images().keySet());
        names.addAll(b.images().keySet());
        for (String name : names) {
            h.append("<section class=\"figure\" data-name=\"").append(esc(name)).append("\">\n<h2>").append(esc(name)).append("</h2>\n")
                    .append("<div class=\"pair\">\n");
            image(h, a, name);
            image(h, b, name);
            if (a.images().containsKey(name) && b.images().containsKey(name)) {
                h.append("<figure class=\"overlay\"><div class=\"stack\">").append(img(a.images().get(name), "A"))
                        .append(img(b.images().get(name), "B").replace("class=\"plot\"", "class=\"plot over\""))
                        .append("</div><figcaption>B over A, difference blend: unchanged is black</figcaption></figure>\n");
            }
            h.append("</div>\n</section>\n");
        }
        claims(h, a, b);
        h.append("</body>\n</html>\n");
        return h.toString();
    }

    private static void image(StringBuilder h, Side s, String name) {
        byte[] png = s.images().get(name);
        h.append("<figure class=\"side\">");
        h.append(png == null ? "<p class=\"missing\">not in this run</p>" : img(png, s.label()));
        h.append("<figcaption>").append(esc(s.label())).append("</figcaption></figure>\n");
    }

    private static String img(byte[] png, String alt) {
        return "<img class=\"plot\" alt=\"" + esc(alt) + "\" src=\"data:image/png;base64," + Base64.getEncoder().encodeToString(png) + "\">";
    }

    /** One row per claim id of either run: A's and B's numbers and verdicts. */
    private static void claims(StringBuilder h, Side a, Side b) {
        Map<String, ClaimCheck[]> rows = new LinkedHashMap<>();
        a.checks().forEach(c -> rows.computeIfAbsent(c.id(), k -> new ClaimCheck[2])[0] = c);
        b.checks().forEach(c -> rows.computeIfAbsent(c.id(), k -> new ClaimCheck[2])[1] = c);
        h.append("<h2>Claims</h2>\n<table class=\"claims\">\n<thead><tr><th>claim</th><th>")
                .append(esc(a.label())).append(": measured</th><th>verdict</th><th>").append(esc(b.label()))
                .append(": measured</th><th>verdict</th></tr></thead>\n<tbody>\n");
        rows.forEach((id, pair) -> {
            ClaimCheck any = pair[0] != null ? pair[0] : pair[1];
            boolean flipped = pair[0] != null && pair[1] != null && pair[0].passed() != pair[1].passed();
            h.append("<tr class=\"claim").append(flipped ? " flipped" : "").append("\"><td><b>").append(esc(id)).append("</b>")
                    .append(any.countsAsClaim() ? "" : " <small>(sanity check, not a paper claim)</small>").append("<br>")
                    .append(esc(any.claim())).append("<br><small>").append(esc(any.criterion())).append("</small></td>");
            for (ClaimCheck c : pair) {
                h.append(c == null ? "<td colspan=\"2\" class=\"missing\">not checked</td>"
                        : "<td>" + esc(c.measured()) + "</td><td class=\"" + (c.passed() ? "pass" : "fail") + "\">"
                        + (c.passed() ? "PASS" : "DID NOT REPRODUCE") + "</td>");
            }
            h.append("</tr>\n");
        });
        h.append("</tbody>\n</table>\n");
    }

    private static final String CSS = """
            body { font: 15px/1.45 system-ui, sans-serif; margin: 1.5em; color: #222; }
            table { border-collapse: collapse; margin: .8em 0; } th, td { border: 1px solid #ddd; padding: .35em .55em; vertical-align: top; }
            th { background: #f5f5f5; text-align: left; } td.pass { color: #11683a; font-weight: 600; } td.fail { color: #a3261b; font-weight: 600; }
            tr.flipped { background: #fff4d6; } .missing { color: #a3261b; }
            .pair { display: grid; grid-template-columns: repeat(3, 1fr); gap: 1em; align-items: start; }
            figure { margin: 0; } img.plot { max-width: 100%; border: 1px solid #eee; display: block; }
            .stack { position: relative; } .stack img.over { position: absolute; top: 0; left: 0; mix-blend-mode: difference; }
            figcaption { color: #666; font-size: .85em; }
            """;
}
