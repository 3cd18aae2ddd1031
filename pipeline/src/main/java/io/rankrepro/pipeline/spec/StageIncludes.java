package io.rankrepro.pipeline.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Shared stage definitions: a spec's stage list may hold {@code {use: FILE, sweep: [stage, ...]}},
 * which splices in the stages of a stage file (a YAML mapping with {@code stages} and, optionally,
 * {@code profiles} whose {@code set} entries apply under every profile the spec runs — the spec's
 * own entries win). Specs that use one file train identical models by construction, so the cache
 * shares them. The {@code sweep} list names the spliced stages that fan out over the spec's
 * sweep; a swept axis replaces the stage file's value of that param.
 */
final class StageIncludes {
    static final String SHARED_FROM = "shared_from";
    private static final Set<String> USE = Set.of("use", "sweep");
    private static final Set<String> FILE = Set.of("description", "stages", "profiles");

    private final List<Path> files = new ArrayList<>();
    private final List<byte[]> contents = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();

    private StageIncludes() { }

    List<Path> files() {
        return files;
    }

    List<String> problems() {
        return problems;
    }

    /** The spec's bytes followed by each stage file's, for the spec's hash. */
    byte[] combined(byte[] spec) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(spec);
        for (byte[] c : contents) {
            out.write(0);
            out.writeBytes(c);
        }
        return out.toByteArray();
    }

    /** Replaces every {@code use} entry of {@code root.stages} in place; problems are collected. */
    static StageIncludes expand(JsonNode root, String source) {
        StageIncludes inc = new StageIncludes();
        if (!(root instanceof ObjectNode spec) || !(spec.get("stages") instanceof ArrayNode stages)) {
            return inc;
        }
        Set<String> axes = new LinkedHashSet<>();
        if (spec.get("sweep") != null) {
            spec.get("sweep").fieldNames().forEachRemaining(axes::add);
        }
        ArrayNode expanded = spec.arrayNode();
        for (int i = 0; i < stages.size(); i++) {
            JsonNode entry = stages.get(i);
            if (entry == null || !entry.isObject() || entry.get("use") == null) {
                expanded.add(entry);
                continue;
            }
            String where = "stages[" + i + "] (use)";
            for (Iterator<String> it = entry.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!USE.contains(f)) {
                    inc.problems.add(where + "." + f + ": unknown field (allowed: sweep, use)");
                }
            }
            if (!entry.get("use").isTextual()) {
                inc.problems.add(where + ": must name a stage file, e.g. ../../stages/kobayashi2024-lm.yaml");
                continue;
            }
            String name = entry.get("use").asText();
            Path base = Path.of(source).toAbsolutePath().getParent();
            Path file = base.resolve(name).normalize();
            JsonNode shared;
            byte[] content;
            try {
                content = Files.readAllBytes(file);
                shared = new YAMLMapper().readTree(content);
            } catch (IOException e) {
                inc.problems.add(where + ": cannot read stage file " + name + " (" + file + "): " + e.getMessage());
                continue;
            }
            if (shared == null || !shared.isObject() || !(shared.get("stages") instanceof ArrayNode sharedStages)) {
                inc.problems.add(where + ": " + name + " must be a mapping with a list of stages");
                continue;
            }
            shared.fieldNames().forEachRemaining(f -> {
                if (!FILE.contains(f)) {
                    inc.problems.add(name + ": " + f + ": unknown field (allowed: description, profiles, stages)");
                }
            });
            inc.files.add(file);
            inc.contents.add(content);
            Set<String> swept = new LinkedHashSet<>();
            JsonNode sweep = entry.get("sweep");
            if (sweep != null) {
                if (!sweep.isArray()) {
                    inc.problems.add(where + ".sweep: must be a list of the stage names that sweep");
                } else {
                    sweep.forEach(n -> swept.add(n.asText()));
                }
            }
            Set<String> names = new LinkedHashSet<>();
            for (JsonNode st : sharedStages) {
                if (!st.isObject()) {
                    inc.problems.add(name + ": every stage must be a mapping");
                    continue;
                }
                ObjectNode copy = ((ObjectNode) st).deepCopy();
                String stageName = copy.path("name").asText();
                names.add(stageName);
                copy.set(SHARED_FROM, TextNode.valueOf(name));
                if (swept.contains(stageName)) {
                    copy.set("sweep", BooleanNode.TRUE);
                    if (copy.get("params") instanceof ObjectNode params) {
                        axes.forEach(params::remove);
                    }
                }
                expanded.add(copy);
            }
            for (String s : swept) {
                if (!names.contains(s)) {
                    inc.problems.add(where + ".sweep: " + name + " has no stage '" + s + "' (it has " + names + ")");
                }
            }
            mergeProfiles(spec, shared.get("profiles"));
        }
        spec.set("stages", expanded);
        return inc;
    }

    /** The stage file's profile {@code set} entries, under the spec's own. */
    private static void mergeProfiles(ObjectNode spec, JsonNode sharedProfiles) {
        if (sharedProfiles == null || !sharedProfiles.isObject()) {
            return;
        }
        ObjectNode profiles = spec.get("profiles") instanceof ObjectNode p ? p : spec.putObject("profiles");
        for (Iterator<Map.Entry<String, JsonNode>> it = sharedProfiles.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode sharedSet = e.getValue() == null ? null : e.getValue().get("set");
            if (sharedSet == null || !sharedSet.isObject()) {
                continue;
            }
            ObjectNode profile = profiles.get(e.getKey()) instanceof ObjectNode p ? p : profiles.putObject(e.getKey());
            ObjectNode set = profile.get("set") instanceof ObjectNode s ? s : profile.putObject("set");
            ObjectNode merged = set.objectNode();
            merged.setAll((ObjectNode) sharedSet);
            merged.setAll(set);
            profile.set("set", merged);
        }
    }
}
