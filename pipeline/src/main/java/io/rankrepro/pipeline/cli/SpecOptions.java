package io.rankrepro.pipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Which experiment, at which profile, with which command-line overrides. */
public final class SpecOptions {

    @Option(names = "--spec", paramLabel = "FILE",
            description = "Experiment spec (YAML), e.g. pipeline/experiments/boix2023/fig1.yaml")
    Path spec;

    @Option(names = "--profile", defaultValue = "cpu", paramLabel = "PROFILE",
            description = "smoke | cpu | paper (default: ${DEFAULT-VALUE})")
    String profile;

    @Option(names = "--set", paramLabel = "STAGE.PARAM=VALUE",
            description = "Override one stage parameter after the profile, e.g. --set train.lr=0.05 (repeatable)")
    List<String> set = List.of();

    Path requireSpec() {
        if (spec == null) {
            throw new UsageError("--spec FILE is required (specs live under pipeline/experiments/)");
        }
        return spec;
    }

    /** The --set values, parsed as YAML scalars so numbers stay numbers. */
    Map<String, Object> overrides() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String s : set) {
            int eq = s.indexOf('=');
            if (eq <= 0) {
                throw new UsageError("--set " + s + ": expected STAGE.PARAM=VALUE");
            }
            String raw = s.substring(eq + 1);
            Object value;
            try {
                JsonNode n = new YAMLMapper().readTree("v: " + raw).get("v");
                value = n == null || n.isNull() ? raw
                        : n.isIntegralNumber() ? (Object) n.asLong()
                        : n.isNumber() ? (Object) n.asDouble()
                        : n.isBoolean() ? (Object) n.asBoolean()
                        : n.asText();
            } catch (Exception e) {
                value = raw;
            }
            out.put(s.substring(0, eq), value);
        }
        return out;
    }
}
