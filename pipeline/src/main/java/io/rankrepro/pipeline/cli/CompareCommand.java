package io.rankrepro.pipeline.cli;

import io.rankrepro.mlflow.MlflowTracking;
import io.rankrepro.mlflow.RunView;
import io.rankrepro.pipeline.exec.OutputStore;
import io.rankrepro.pipeline.report.DagRunResults;
import io.rankrepro.pipeline.report.PlotsDiffPage;
import io.rankrepro.tasks.task.ClaimChecks;
import org.mlflow.api.proto.Service.Experiment;
import org.mlflow.api.proto.Service.ViewType;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.creds.BasicMlflowHostCreds;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Compare two MLflow runs: the params that differ and the metrics (claims, ranks, losses) side by side.",
                "For DAG runs (parent runs) every task's run is matched by task id.",
                "  rankrepro compare RUN_A RUN_B",
                "  rankrepro compare RUN_A RUN_B --plots [--out DIR]   the figures of both side by side, overlaid, with both claim tables",
                "  rankrepro compare --experiment kobayashi2024/fig1      every DAG run of an experiment, one row each"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:compared", "1:MLflow unreachable or a run is missing", "2:bad arguments"})
final class CompareCommand implements Callable<Integer> {
    private static final String TASK_TAG = "rankrepro.task";
    private static final String DAG_ROLE = "dag-run";

    @Mixin TrackingOptions trackingOptions;

    @Parameters(arity = "0..2", paramLabel = "RUN_ID", description = "Two runs: DAG runs or task runs")
    List<String> runs = List.of();

    @Option(names = "--experiment", paramLabel = "ID", description = "Instead of two runs: a table of every DAG run of this experiment")
    String experiment;

    @Option(names = "--metrics", paramLabel = "REGEX", defaultValue = "^(?!system/).*",
            description = "Only metrics whose name matches (default: all but system/ metrics)")
    String metrics;

    @Option(names = "--all", description = "Also list params and metrics that are equal")
    boolean all;

    @Option(names = "--plots", description = {"Plots diff: one HTML page with each figure of both runs side by side and overlaid,",
            "and both runs' claim checks (the runs' figure task outputs, fetched from MLflow)"})
    boolean plots;

    @Option(names = "--out", paramLabel = "DIR", description = "With --plots: where index.html goes (default: compare/<A>-<B>/)")
    Path out;

    @Override
    public Integer call() throws IOException {
        if (trackingOptions.noTracking) {
            throw new UsageError("compare reads runs from MLflow; it cannot be used with --no-tracking");
        }
        if ((experiment == null) == (runs.size() != 2)) {
            throw new UsageError("give two run ids (rankrepro compare RUN_A RUN_B) or --experiment ID, not both");
        }
        if ((plots || out != null) && experiment != null) {
            throw new UsageError("--plots compares two runs: rankrepro compare RUN_A RUN_B --plots [--out DIR]");
        }
        if (out != null && !plots) {
            throw new UsageError("--out is where --plots writes its page; add --plots");
        }
        Pattern metricFilter;
        try {
            metricFilter = Pattern.compile(metrics);
        } catch (java.util.regex.PatternSyntaxException e) {
            throw new UsageError("--metrics '" + metrics + "' is not a regular expression: " + e.getDescription());
        }
        String uri = MlflowTracking.resolveUri(trackingOptions.trackingUri);
        try (MlflowTracking mlflow = MlflowTracking.connect(uri)) {
            if (experiment != null) {
                return experimentTable(mlflow, uri);
            }
            if (plots) {
                return plotsDiff(mlflow, runs.get(0), runs.get(1));
            }
            return compareRuns(mlflow, runs.get(0), runs.get(1), metricFilter);
        }
    }

    private int compareRuns(MlflowTracking mlflow, String a, String b, Pattern metricFilter) {
        RunView ra = mlflow.getRun(a);
        RunView rb = mlflow.getRun(b);
        System.out.println("A: " + describe(ra) + "\nB: " + describe(rb));
        Map<String, RunView[]> pairs = new LinkedHashMap<>();
        pairs.put("(run)", new RunView[] {ra, rb});
        Map<String, RunView> childrenA = children(mlflow, ra);
        Map<String, RunView> childrenB = children(mlflow, rb);
        for (String task : new TreeSet<>(union(childrenA.keySet(), childrenB.keySet()))) {
            pairs.put(task, new RunView[] {childrenA.get(task), childrenB.get(task)});
        }
        List<String[]> paramRows = new ArrayList<>();
        List<String[]> metricRows = new ArrayList<>();
        List<String> onlyIn = new ArrayList<>();
        for (Map.Entry<String, RunView[]> p : pairs.entrySet()) {
            RunView x = p.getValue()[0];
            RunView y = p.getValue()[1];
            if (x == null || y == null) {
                onlyIn.add(p.getKey() + " only in " + (x == null ? "B" : "A"));
                continue;
            }
            for (String k : union(x.params().keySet(), y.params().keySet())) {
                String vx = x.params().get(k);
                String vy = y.params().get(k);
                if (all || !Objects.equals(vx, vy)) {
                    paramRows.add(new String[] {p.getKey(), k, shorten(vx), shorten(vy)});
                }
            }
            for (String k : union(x.metrics().keySet(), y.metrics().keySet())) {
                if (!metricFilter.matcher(k).find()) {
                    continue;
                }
                Double vx = x.metrics().get(k);
                Double vy = y.metrics().get(k);
                if (all || !Objects.equals(vx, vy)) {
                    metricRows.add(new String[] {p.getKey(), k, number(vx), number(vy)});
                }
            }
        }
        System.out.println("\nparams " + (all ? "" : "that differ ") + "(" + paramRows.size() + "):");
        print(paramRows, "run", "param");
        System.out.println("\nlatest metrics " + (all ? "" : "that differ ") + "(" + metricRows.size() + "):");
        print(metricRows, "run", "metric");
        if (!onlyIn.isEmpty()) {
            System.out.println("\ntasks in one run only: " + String.join("; ", onlyIn));
        }
        return 0;
    }

    /** The plots diff page of two runs (DAG runs: their figure task's run; task runs: themselves). */
    private int plotsDiff(MlflowTracking mlflow, String a, String b) throws IOException {
        PlotsDiffPage.Side sa = side(mlflow, "A", mlflow.getRun(a));
        PlotsDiffPage.Side sb = side(mlflow, "B", mlflow.getRun(b));
        if (sa.images().isEmpty() && sb.images().isEmpty()) {
            throw new UsageError("neither run has a figure (no PNG under the figure task's outputs/): " + a + ", " + b);
        }
        Path dir = out != null ? out : Path.of("compare", shortId(a) + "-" + shortId(b));
        WorkspacePaths.writable("--out", dir);
        Files.createDirectories(dir);
        RunView ra = mlflow.getRun(a);
        String title = ra.params().getOrDefault("spec", ra.runName());
        Path page = dir.resolve("index.html");
        Path tmp = dir.resolve("index.html.tmp");
        Files.writeString(tmp, PlotsDiffPage.render(title, sa, sb), StandardCharsets.UTF_8);
        Files.move(tmp, page, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        System.out.printf("plots diff: %d figures, %d + %d claims%n  %s%n", new TreeSet<>(union(sa.images().keySet(), sb.images().keySet())).size(),
                sa.checks().size(), sb.checks().size(), page.toAbsolutePath());
        return 0;
    }

    private static PlotsDiffPage.Side side(MlflowTracking mlflow, String letter, RunView run) throws IOException {
        String figureRun = run.tags().getOrDefault(DagRunResults.SINK_RUN_TAG, run.runId());
        Path tmp = Files.createTempDirectory("rankrepro-plots");
        try {
            Map<String, byte[]> images = new TreeMap<>();
            List<io.rankrepro.tasks.task.ClaimCheck> checks = List.of();
            if (mlflow.listArtifacts(figureRun).stream().anyMatch(p -> p.startsWith("outputs/"))) {
                Path outputs = tmp.resolve("outputs");
                mlflow.downloadArtifacts(figureRun, "outputs", outputs);
                try (var files = Files.walk(outputs)) {
                    for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".png"))::iterator) {
                        images.put(outputs.relativize(f).toString(), Files.readAllBytes(f));
                    }
                }
                checks = ClaimChecks.read(outputs);
            }
            String label = letter + ": " + run.runName() + " (" + run.tags().getOrDefault("rankrepro.profile", "?") + ", code "
                    + run.tags().getOrDefault("rankrepro.code_version", "?") + ")";
            return new PlotsDiffPage.Side(label, run.runId(), mlflow.runUrl(run.runId()), images, checks);
        } finally {
            OutputStore.deleteTree(tmp);
        }
    }

    private static String shortId(String runId) {
        return runId.length() > 8 ? runId.substring(0, 8) : runId;
    }

    private int experimentTable(MlflowTracking mlflow, String uri) {
        String id = experimentId(uri, experiment);
        List<RunView> dagRuns = mlflow.searchRuns(id, "tags.`rankrepro.role` = '" + DAG_ROLE + "'");
        if (dagRuns.isEmpty()) {
            System.out.println("experiment " + experiment + " has no DAG runs yet");
            return 0;
        }
        System.out.printf("%s: %d DAG runs (oldest first)%n%n%-32s  %-19s  %-7s  %-8s  %-7s  %-9s  %s%n", experiment, dagRuns.size(),
                "run", "started", "profile", "status", "claims", "wall", "code");
        for (RunView r : dagRuns) {
            long claims = r.metrics().keySet().stream().filter(k -> k.startsWith("claim/") && k.endsWith("/passed")).count();
            long passed = r.metrics().entrySet().stream().filter(e -> e.getKey().startsWith("claim/") && e.getKey().endsWith("/passed") && e.getValue() == 1.0).count();
            Double wall = r.metrics().get("dag/wall_seconds");
            System.out.printf("%-32s  %-19s  %-7s  %-8s  %-7s  %-9s  %s%n", r.runId(),
                    java.time.Instant.ofEpochMilli(r.startTimeMillis()).toString().substring(0, 19).replace('T', ' '),
                    r.tags().getOrDefault("rankrepro.profile", "?"), r.status(), claims == 0 ? "-" : passed + "/" + claims,
                    wall == null ? "-" : String.format("%.1fs", wall), r.tags().getOrDefault("rankrepro.code_version", "?"));
        }
        return 0;
    }

    /** Task runs of a DAG run by task id; empty for a task run. */
    private static Map<String, RunView> children(MlflowTracking mlflow, RunView run) {
        Map<String, RunView> out = new TreeMap<>();
        if (!DAG_ROLE.equals(run.tags().get("rankrepro.role"))) {
            return out;
        }
        for (RunView c : mlflow.childRuns(run.runId())) {
            // a cached task's child stands for the run that computed it: compare that run's metrics
            String computedBy = c.tags().get(DagRunResults.COMPUTED_BY_TAG);
            out.put(c.tags().getOrDefault(TASK_TAG, c.runName()), computedBy == null ? c : mlflow.getRun(computedBy));
        }
        // Tasks that were cached ran in an earlier DAG run: the parent names their runs in rankrepro.cached.* tags.
        run.tags().forEach((k, v) -> {
            if (k.startsWith("rankrepro.cached.")) {
                RunView c = mlflow.getRun(v);
                out.putIfAbsent(c.tags().getOrDefault(TASK_TAG, c.runName()), c);
            }
        });
        return out;
    }

    /** Looked up by search, never created: comparing must not leave an empty experiment behind. */
    private static String experimentId(String uri, String name) {
        BasicMlflowHostCreds creds = System.getenv("MLFLOW_TRACKING_USERNAME") != null
                ? new BasicMlflowHostCreds(uri, System.getenv("MLFLOW_TRACKING_USERNAME"),
                        Objects.requireNonNullElse(System.getenv("MLFLOW_TRACKING_PASSWORD"), ""))
                : System.getenv("MLFLOW_TRACKING_TOKEN") != null ? new BasicMlflowHostCreds(uri, System.getenv("MLFLOW_TRACKING_TOKEN"))
                : new BasicMlflowHostCreds(uri);
        MlflowClient client = new MlflowClient(creds);
        try {
            List<Experiment> found = client.searchExperiments("name = '" + name.replace("'", "") + "'", ViewType.ACTIVE_ONLY, 1, List.of()).getItems();
            if (found.isEmpty()) {
                throw new UsageError("no MLflow experiment '" + name + "' at " + uri + " (experiments are named by spec id, e.g. kobayashi2024/fig1)");
            }
            return found.get(0).getExperimentId();
        } finally {
            client.close();
        }
    }

    private static String describe(RunView r) {
        return r.runId() + "  " + r.runName() + "  profile " + r.tags().getOrDefault("rankrepro.profile", "?") + ", " + r.status()
                + ", code " + r.tags().getOrDefault("rankrepro.code_version", "?");
    }

    private static void print(List<String[]> rows, String h1, String h2) {
        if (rows.isEmpty()) {
            System.out.println("  (none)");
            return;
        }
        int w0 = Math.max(h1.length(), rows.stream().mapToInt(r -> r[0].length()).max().orElse(0));
        int w1 = Math.max(h2.length(), rows.stream().mapToInt(r -> r[1].length()).max().orElse(0));
        int w2 = Math.max(1, rows.stream().mapToInt(r -> r[2].length()).max().orElse(0));
        String fmt = "  %-" + w0 + "s  %-" + w1 + "s  %-" + w2 + "s  %s%n";
        System.out.printf(fmt, h1, h2, "A", "B");
        rows.forEach(r -> System.out.printf(fmt, (Object[]) r));
    }

    private static List<String> union(java.util.Set<String> a, java.util.Set<String> b) {
        TreeSet<String> u = new TreeSet<>(a);
        u.addAll(b);
        return new ArrayList<>(u);
    }

    private static String number(Double v) {
        return v == null ? "-" : v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString(v.longValue()) : String.format("%.6g", v);
    }

    private static String shorten(String v) {
        return v == null ? "-" : v.length() <= 60 ? v : v.substring(0, 57) + "...";
    }
}
