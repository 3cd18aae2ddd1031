package io.rankrepro.pipeline.provenance;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.rankrepro.pipeline.exec.OutputStore;
import io.rankrepro.pipeline.exec.TaskRecord;
import io.rankrepro.pipeline.plan.Plan;
import io.rankrepro.pipeline.plan.PlannedTask;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds a figure's provenance from the plan and the task manifests in the work folder; reads and writes it. */
public final class ProvenanceManifests {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private ProvenanceManifests() { }

    /**
     * The provenance of the plan's sinks. Every task must have verified outputs in {@code store}
     * (true after a successful run): the hashes come from their {@code _task.json}, which were
     * checked against the files just now.
     *
     * @param results the sink files as published next to the manifest, path → sha256
     */
    public static ProvenanceManifest build(Plan plan, Map<String, String> keys, OutputStore store, String codeVersion,
                                           String trackingUri, String mlflowExperimentId, String parentRunId,
                                           Map<String, String> results) {
        Map<String, ProvenanceManifest.Step> steps = new LinkedHashMap<>();
        List<String> sinks = plan.sinks().stream().map(PlannedTask::id).toList();
        for (PlannedTask sink : plan.sinks()) {
            add(steps, sink, keys, store);
        }
        for (PlannedTask sink : plan.sinks()) {
            // Nearest first: ancestors() is in plan order, so walk it backwards.
            List<String> ancestors = new ArrayList<>(sink.ancestors());
            java.util.Collections.reverse(ancestors);
            for (String id : ancestors) {
                add(steps, plan.task(id), keys, store);
            }
        }
        return new ProvenanceManifest(plan.spec().id(), plan.info().profile(), codeVersion, trackingUri,
                mlflowExperimentId, parentRunId, results, sinks, new ArrayList<>(steps.values()));
    }

    private static void add(Map<String, ProvenanceManifest.Step> steps, PlannedTask t, Map<String, String> keys, OutputStore store) {
        if (steps.containsKey(t.id())) {
            return;
        }
        OutputStore.Verification v = store.verify(keys.get(t.id()));
        if (!v.ok()) {
            throw new IllegalStateException("cannot record the provenance of " + t.id() + ": " + v.reason());
        }
        TaskRecord r = v.record();
        steps.put(t.id(), new ProvenanceManifest.Step(t.id(), t.stage(), t.kind(), r.key(), r.mlflowRunId(),
                t.upstream(), r.files(), r.wallSeconds()));
    }

    public static void write(Path file, ProvenanceManifest manifest) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        JSON.writeValue(tmp.toFile(), manifest);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public static ProvenanceManifest read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), ProvenanceManifest.class);
    }
}
