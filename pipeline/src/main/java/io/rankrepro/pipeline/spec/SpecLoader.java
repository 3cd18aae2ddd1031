package io.rankrepro.pipeline.spec;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Loads an experiment spec from YAML and validates its shape, collecting every problem rather
 * than stopping at the first. Whether each stage's kind exists and accepts its params is checked
 * later by the planner, which knows the task kinds.
 */
public final class SpecLoader {
    /** Specs are small hand-written files; anything bigger is a mistake, not a spec. */
    static final long MAX_BYTES = 1 << 20;
    static final int MAX_SWEEP_POINTS = 10_000;

    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9_-]*(/[a-z0-9][a-z0-9_-]*)+");
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]*");
    private static final Pattern PARAM = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");
    private static final Set<String> TOP = Set.of("id", "title", "paper", "data", "description", "seed", "sweep", "stages", "profiles");
    private static final Set<String> STAGE = Set.of("name", "kind", "params", "sweep", "gather", "description", StageIncludes.SHARED_FROM);
    private static final Set<String> PROFILE = Set.of("sweep", "set", "description");

    private SpecLoader() { }

    public static ExperimentSpec load(Path file) throws SpecException {
        String source = file.toString();
        byte[] bytes;
        try {
            if (Files.isDirectory(file)) {
                throw new SpecException(source, List.of("is a directory, not a spec file"));
            }
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw new SpecException(source, List.of("file is " + size + " bytes; a spec is at most " + MAX_BYTES));
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new SpecException(source, List.of("file not found"));
        } catch (IOException e) {
            throw new SpecException(source, List.of("cannot read: " + e.getMessage()));
        }
        return parse(source, bytes);
    }

    public static ExperimentSpec parse(String source, byte[] bytes) throws SpecException {
        if (bytes.length == 0 || new String(bytes, StandardCharsets.ISO_8859_1).isBlank()) {
            throw new SpecException(source, List.of("file is empty"));
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new SpecException(source, List.of("not valid UTF-8 text"));
        }
        JsonNode root;
        try {
            root = new YAMLMapper().readTree(text);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new SpecException(source, List.of("not valid YAML" + where + ": " + e.getOriginalMessage()));
        }
        if (root == null || !root.isObject()) {
            throw new SpecException(source, List.of("top level must be a mapping with id, title, stages, ..."));
        }
        Validator v = new Validator();
        StageIncludes includes = StageIncludes.expand(root, source);
        if (!includes.problems().isEmpty()) {
            throw new SpecException(source, includes.problems());
        }
        ExperimentSpec spec = v.spec(root, source, includes.files().isEmpty() ? sha256(bytes) : sha256(includes.combined(bytes)));
        if (!v.problems.isEmpty()) {
            throw new SpecException(source, v.problems);
        }
        return spec;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Walks the tree once, recording problems as "field: what is wrong". */
    private static final class Validator {
        final List<String> problems = new ArrayList<>();

        ExperimentSpec spec(JsonNode root, String source, String sha) {
            unknownFields(root, TOP, "");
            String id = requiredText(root, "id");
            if (id != null && !ID.matcher(id).matches()) {
                problems.add("id: '" + id + "' must look like paper/figure (lower case, e.g. boix2023/fig1)");
            }
            String title = requiredText(root, "title");
            String paper = optionalText(root, "paper", "");
            String data = optionalText(root, "data", "");
            long seed = 0;
            JsonNode seedNode = root.get("seed");
            if (seedNode != null) {
                if (!seedNode.isIntegralNumber() || seedNode.asLong() < 0 || !seedNode.canConvertToLong()) {
                    problems.add("seed: must be a non-negative integer, got " + seedNode);
                } else {
                    seed = seedNode.asLong();
                }
            }
            Map<String, List<Object>> sweep = sweep(root.get("sweep"), "sweep");
            List<StageSpec> stages = stages(root.get("stages"), sweep);
            Map<String, ProfileSpec> profiles = profiles(root.get("profiles"), stages, sweep);
            return new ExperimentSpec(id, title, paper, data, seed, sweep, stages, profiles, source, sha);
        }

        Map<String, List<Object>> sweep(JsonNode node, String field) {
            Map<String, List<Object>> axes = new LinkedHashMap<>();
            if (node == null || node.isNull()) {
                return axes;
            }
            if (!node.isObject()) {
                problems.add(field + ": must be a mapping of parameter name to a list of values");
                return axes;
            }
            long points = 1;
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String where = field + "." + e.getKey();
                if (!PARAM.matcher(e.getKey()).matches()) {
                    problems.add(where + ": not a valid parameter name");
                    continue;
                }
                JsonNode values = e.getValue();
                if (!values.isArray() || values.isEmpty()) {
                    problems.add(where + ": must be a non-empty list of values");
                    continue;
                }
                List<Object> list = new ArrayList<>();
                Set<Object> seen = new LinkedHashSet<>();
                for (JsonNode value : values) {
                    Object scalar = scalar(value, where);
                    if (scalar != null && !seen.add(scalar)) {
                        problems.add(where + ": value " + value + " appears twice");
                    }
                    if (scalar != null) {
                        list.add(scalar);
                    }
                }
                points *= Math.max(1, list.size());
                axes.put(e.getKey(), List.copyOf(list));
            }
            if (points > MAX_SWEEP_POINTS) {
                problems.add(field + ": " + points + " sweep points; at most " + MAX_SWEEP_POINTS);
            }
            return axes;
        }

        List<StageSpec> stages(JsonNode node, Map<String, List<Object>> sweep) {
            List<StageSpec> stages = new ArrayList<>();
            if (node == null || !node.isArray() || node.isEmpty()) {
                problems.add("stages: required, a non-empty list of stages");
                return stages;
            }
            Set<String> names = new LinkedHashSet<>();
            boolean swept = false;
            for (int i = 0; i < node.size(); i++) {
                JsonNode s = node.get(i);
                String where = "stages[" + i + "]";
                if (!s.isObject()) {
                    problems.add(where + ": must be a mapping with name and kind");
                    continue;
                }
                unknownFields(s, STAGE, where + ".");
                String name = requiredText(s, "name", where + ".name");
                if (name != null) {
                    where = "stages[" + i + "] (" + name + ")";
                    if (!NAME.matcher(name).matches()) {
                        problems.add(where + ".name: must be lower case letters, digits, '-' or '_'");
                    } else if (!names.add(name)) {
                        problems.add(where + ".name: stage '" + name + "' is declared twice");
                    }
                }
                String kind = requiredText(s, "kind", where + ".kind");
                Map<String, Object> params = params(s.get("params"), where + ".params");
                boolean isSweep = bool(s.get("sweep"), where + ".sweep");
                boolean isGather = bool(s.get("gather"), where + ".gather");
                if (isSweep && isGather) {
                    problems.add(where + ": a stage cannot both sweep and gather");
                }
                if (isSweep && sweep.isEmpty()) {
                    problems.add(where + ".sweep: the spec declares no sweep axes");
                }
                if (isSweep) {
                    for (String axis : sweep.keySet()) {
                        if (params.containsKey(axis)) {
                            problems.add(where + ".params." + axis + ": also a sweep axis; set it in sweep only");
                        }
                    }
                    swept = true;
                }
                if (isGather && !swept) {
                    problems.add(where + ".gather: no earlier stage sweeps, so there is nothing to gather");
                }
                if (isGather) {
                    swept = false;
                }
                if (name != null && kind != null) {
                    JsonNode shared = s.get(StageIncludes.SHARED_FROM);
                    stages.add(new StageSpec(name, kind, params, isSweep, isGather, shared == null ? null : shared.asText()));
                }
            }
            if (!sweep.isEmpty() && stages.stream().noneMatch(StageSpec::sweep)) {
                problems.add("sweep: declared, but no stage has sweep: true");
            }
            return stages;
        }

        Map<String, ProfileSpec> profiles(JsonNode node, List<StageSpec> stages, Map<String, List<Object>> sweep) {
            Map<String, ProfileSpec> profiles = new LinkedHashMap<>();
            if (node == null || node.isNull()) {
                return profiles;
            }
            if (!node.isObject()) {
                problems.add("profiles: must be a mapping of profile name (smoke, cpu, paper) to overrides");
                return profiles;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String where = "profiles." + e.getKey();
                if (!ExperimentSpec.PROFILES.contains(e.getKey())) {
                    problems.add(where + ": unknown profile; use one of " + ExperimentSpec.PROFILES);
                    continue;
                }
                JsonNode p = e.getValue();
                if (p == null || p.isNull()) {
                    profiles.put(e.getKey(), ProfileSpec.empty());
                    continue;
                }
                if (!p.isObject()) {
                    problems.add(where + ": must be a mapping with sweep and/or set");
                    continue;
                }
                unknownFields(p, PROFILE, where + ".");
                Map<String, List<Object>> profileSweep = sweep(p.get("sweep"), where + ".sweep");
                for (String axis : profileSweep.keySet()) {
                    if (!sweep.containsKey(axis)) {
                        problems.add(where + ".sweep." + axis + ": not a sweep axis of this spec (axes: " + sweep.keySet() + ")");
                    }
                }
                Map<String, Object> set = new LinkedHashMap<>();
                JsonNode setNode = p.get("set");
                if (setNode != null && !setNode.isNull()) {
                    if (!setNode.isObject()) {
                        problems.add(where + ".set: must be a mapping of stage.param to value");
                    } else {
                        for (Iterator<Map.Entry<String, JsonNode>> si = setNode.fields(); si.hasNext(); ) {
                            Map.Entry<String, JsonNode> o = si.next();
                            String key = o.getKey();
                            String at = where + ".set." + key;
                            Object value = value(o.getValue(), at);
                            String problem = overrideProblem(key, stages);
                            if (problem != null) {
                                problems.add(at + ": " + problem);
                            } else if (value != null) {
                                set.put(key, value);
                            }
                        }
                    }
                }
                profiles.put(e.getKey(), new ProfileSpec(profileSweep, set));
            }
            return profiles;
        }

        Map<String, Object> params(JsonNode node, String where) {
            Map<String, Object> params = new LinkedHashMap<>();
            if (node == null || node.isNull()) {
                return params;
            }
            if (!node.isObject()) {
                problems.add(where + ": must be a mapping of name to value");
                return params;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!PARAM.matcher(e.getKey()).matches()) {
                    problems.add(where + "." + e.getKey() + ": not a valid parameter name");
                    continue;
                }
                Object value = value(e.getValue(), where + "." + e.getKey());
                if (value != null) {
                    params.put(e.getKey(), value);
                }
            }
            return params;
        }

        /** A parameter value: a scalar or a flat list of scalars. */
        Object value(JsonNode node, String where) {
            if (node.isArray()) {
                List<Object> list = new ArrayList<>();
                for (JsonNode item : node) {
                    Object scalar = scalar(item, where);
                    if (scalar == null) {
                        return null;
                    }
                    list.add(scalar);
                }
                return List.copyOf(list);
            }
            return scalar(node, where);
        }

        Object scalar(JsonNode node, String where) {
            if (node.isIntegralNumber()) {
                if (!node.canConvertToLong()) {
                    problems.add(where + ": integer " + node + " is too large");
                    return null;
                }
                return node.asLong();
            }
            if (node.isNumber()) {
                double d = node.asDouble();
                if (!Double.isFinite(d)) {
                    problems.add(where + ": must be a finite number, got " + node);
                    return null;
                }
                return d;
            }
            if (node.isBoolean()) {
                return node.asBoolean();
            }
            if (node.isTextual()) {
                return node.asText();
            }
            problems.add(where + ": must be a number, string, boolean or a list of those; got " + describe(node));
            return null;
        }

        boolean bool(JsonNode node, String where) {
            if (node == null || node.isNull()) {
                return false;
            }
            if (!node.isBoolean()) {
                problems.add(where + ": must be true or false, got " + node);
                return false;
            }
            return node.asBoolean();
        }

        String requiredText(JsonNode parent, String field) {
            return requiredText(parent, field, field);
        }

        String requiredText(JsonNode parent, String field, String where) {
            JsonNode n = parent.get(field);
            if (n == null || n.isNull()) {
                problems.add(where + ": required");
                return null;
            }
            if (!n.isTextual() || n.asText().isBlank()) {
                problems.add(where + ": must be a non-empty string, got " + describe(n));
                return null;
            }
            return n.asText();
        }

        String optionalText(JsonNode parent, String field, String fallback) {
            JsonNode n = parent.get(field);
            if (n == null || n.isNull()) {
                return fallback;
            }
            if (!n.isTextual()) {
                problems.add(field + ": must be a string, got " + describe(n));
                return fallback;
            }
            return n.asText();
        }

        void unknownFields(JsonNode node, Set<String> allowed, String prefix) {
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!allowed.contains(f)) {
                    problems.add(prefix + f + ": unknown field (allowed: " + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
                }
            }
        }

        private static String describe(JsonNode n) {
            return n.isObject() ? "a mapping" : n.isArray() ? "a list" : n.toString();
        }
    }

    /** Why {@code stage.param} cannot be overridden, or null when it can. */
    static String overrideProblem(String key, List<StageSpec> stages) {
        int dot = key.indexOf('.');
        if (dot <= 0 || dot == key.length() - 1) {
            return "must be stage.param (e.g. train.steps)";
        }
        String stage = key.substring(0, dot);
        String param = key.substring(dot + 1);
        StageSpec s = stages.stream().filter(st -> st.name().equals(stage)).findFirst().orElse(null);
        if (s == null) {
            return "no stage named '" + stage + "' (stages: " + stages.stream().map(StageSpec::name).toList() + ")";
        }
        return PARAM.matcher(param).matches() ? null : "'" + param + "' is not a valid parameter name";
    }
}
