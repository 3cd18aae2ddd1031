package io.rankrepro.pipeline.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.rankrepro.mlflow.SystemInfo;
import io.rankrepro.pipeline.exec.CodeVersion;
import io.rankrepro.pipeline.exec.EngineVersions;
import io.rankrepro.pipeline.exec.ExternalData;
import io.rankrepro.pipeline.exec.KindCodeSource;
import io.rankrepro.pipeline.exec.TaskKeys;
import io.rankrepro.pipeline.plan.Plan;
import io.rankrepro.pipeline.plan.PlannedTask;
import io.rankrepro.pipeline.plan.Planner;
import io.rankrepro.pipeline.spec.SpecException;
import io.rankrepro.pipeline.spec.SpecLoader;
import io.rankrepro.pipeline.track.MlflowSession;
import io.rankrepro.pipeline.track.Tracking;
import io.rankrepro.tasks.task.TaskKinds;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What several commands share: loading a plan, opening tracking, the tags every run carries. */
final class Commands {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static volatile TaskKinds kinds;

    private Commands() { }

    static TaskKinds kinds() {
        if (kinds == null) {
            kinds = TaskKinds.discover();
        }
        return kinds;
    }

    /** The version of each kind's code. */
    static KindCodeSource code() {
        if (code == null) {
            code = KindCodeSource.of(kinds());
        }
        return code;
    }

    private static volatile KindCodeSource code;

    /** The keys of {@code plan}: each task's kind code, params, upstream keys, engines and external data. */
    static TaskKeys keys(Plan plan) {
        return TaskKeys.compute(plan, code(), engines(), external());
    }

    /**
     * What runs the numbers besides the code: engine versions and, on a GPU, the device kind (its
     * kernels differ from the CPU's in the last digits). The CPU adds nothing, so CPU keys stay as
     * they were before devices were chosen.
     */
    private static Map<String, String> engines() {
        Map<String, String> m = new java.util.TreeMap<>(EngineVersions.current().asMap());
        try {
            if (io.rankrepro.tasks.task.ComputeDevice.current().gpu()) {
                m.put("device", "gpu");
            }
        } catch (IllegalArgumentException e) {
            // a bad --device / $RANKREPRO_DEVICE: the command that takes it reports it
        }
        return m;
    }

    private static volatile ExternalData external;

    private static ExternalData external() {
        if (external == null) {
            external = new ExternalData(kinds());
        }
        return external;
    }

    /** {@code spec} at the profile and overrides of {@code o}. */
    static Plan plan(Path spec, SpecOptions o) throws SpecException {
        return new Planner(kinds()).plan(SpecLoader.load(spec), o.profile, o.overrides());
    }

    static Plan plan(SpecOptions o) throws SpecException {
        return new Planner(kinds()).plan(SpecLoader.load(o.requireSpec()), o.profile, o.overrides());
    }

    static Tracking tracking(TrackingOptions o) {
        return tracking(o, null);
    }

    /** @param workdir when given, metrics the server cannot take wait in its spool/ folder (else ~/.rankrepro/spool) */
    static Tracking tracking(TrackingOptions o, java.nio.file.Path workdir) {
        if (o.noTracking) {
            return Tracking.none();
        }
        try {
            return workdir == null ? MlflowSession.connect(o.trackingUri)
                    : MlflowSession.connect(o.trackingUri, io.rankrepro.pipeline.exec.OutputStore.spoolDir(workdir));
        } catch (io.rankrepro.mlflow.TrackingException e) {
            // What happened and how to start the server come from the client; the way around it is ours to say.
            throw new io.rankrepro.mlflow.TrackingException(e.getMessage()
                    + "; or run without tracking: --no-tracking (outputs are still cached and verified)", e);
        }
    }

    private static volatile Map<String, String> runTags;

    /**
     * Provenance every run carries: code, engine, machine. Looked up once per process (it runs git
     * and nvidia-smi): a warm worker would otherwise pay for it on every task.
     */
    static Map<String, String> runTags() {
        if (runTags == null) {
            runTags = java.util.Collections.unmodifiableMap(lookUpRunTags());
        }
        return new LinkedHashMap<>(runTags);
    }

    private static Map<String, String> lookUpRunTags() {
        Map<String, String> tags = new LinkedHashMap<>(SystemInfo.tags());
        tags.put("rankrepro.code_version", CodeVersion.current());
        tags.put("rankrepro.version", Commands.class.getPackage().getImplementationVersion() == null
                ? "dev" : Commands.class.getPackage().getImplementationVersion());
        String commit = GitInfo.commit();
        if (commit != null) {
            tags.put("mlflow.source.git.commit", commit);
            tags.put("rankrepro.git_commit", commit);
        }
        tags.put("rankrepro.djl_version", ai.djl.engine.Engine.getDjlVersion());
        tags.put("rankrepro.engine", "PyTorch");
        return tags;
    }

    static String planJson(Plan plan, Map<String, String> keys) throws Exception {
        List<Map<String, Object>> tasks = new ArrayList<>();
        for (PlannedTask t : plan.tasks()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", t.id());
            m.put("stage", t.stage());
            m.put("kind", t.kind());
            m.put("key", keys.get(t.id()));
            m.put("params", t.params().asMap());
            m.put("sweep_point", t.sweepPoint());
            m.put("upstream", t.upstream());
            m.put("gather", t.gather());
            tasks.add(m);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("experiment", plan.spec().id());
        root.put("title", plan.spec().title());
        root.put("profile", plan.info().profile());
        root.put("seed", plan.info().seed());
        root.put("spec", plan.spec().source());
        root.put("spec_sha256", plan.spec().sha256());
        root.put("code_version", CodeVersion.current());
        root.put("tasks", tasks);
        return JSON.writeValueAsString(root);
    }
}
