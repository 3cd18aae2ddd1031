package io.rankrepro.pipeline.claims;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The claims register of one paper ({@code pipeline/claims/<paper>.yaml}). Every field of every
 * entry is required: a claim without its source or rationale is not a claim the report can defend.
 */
public record ClaimRegister(String paper, List<RegisteredClaim> claims) {
    public static final Path DEFAULT_DIR = Path.of("pipeline", "claims");
    private static final YAMLMapper YAML = (YAMLMapper) new YAMLMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public ClaimRegister {
        claims = List.copyOf(claims);
    }

    /** One register file, checked: all fields present, ids unique per figure. */
    public static ClaimRegister load(Path file) throws IOException {
        ClaimRegister register;
        try {
            register = YAML.readValue(file.toFile(), ClaimRegister.class);
        } catch (JsonMappingException e) {
            throw new IllegalArgumentException(file + ": " + e.getOriginalMessage(), e);
        }
        List<String> problems = new ArrayList<>();
        if (register.paper() == null || register.paper().isBlank()) {
            problems.add("paper: missing");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < register.claims().size(); i++) {
            RegisteredClaim c = register.claims().get(i);
            String at = "claims[" + i + "]" + (c.id() == null ? "" : " (" + c.id() + ")");
            String[][] fields = {{"id", c.id()}, {"figure", c.figure()}, {"source", c.source()}, {"words", c.words()},
                    {"paper_reports", c.paperReports()}, {"statistic", c.statistic()}, {"criterion", c.criterion()},
                    {"rationale", c.rationale()}};
            for (String[] f : fields) {
                if (f[1] == null || f[1].isBlank()) {
                    problems.add(at + "." + f[0] + ": missing");
                }
            }
            if (c.figure() != null && register.paper() != null && !c.figure().startsWith(register.paper() + "/")) {
                problems.add(at + ".figure: " + c.figure() + " is not a figure of " + register.paper());
            }
            if (!seen.add(c.figure() + " " + c.id())) {
                problems.add(at + ": the id " + c.id() + " appears twice for " + c.figure());
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(file + ":\n  " + String.join("\n  ", problems));
        }
        return register;
    }

    /** Every register in {@code dir}, by file name. */
    public static List<ClaimRegister> loadAll(Path dir) throws IOException {
        List<ClaimRegister> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".yaml")).sorted().toList()) {
                all.add(load(f));
            }
        }
        return all;
    }

    /** The entry a figure's check refers to, across registers. */
    public static Optional<RegisteredClaim> find(List<ClaimRegister> registers, String figure, String id) {
        return registers.stream().flatMap(r -> r.claims().stream())
                .filter(c -> c.figure().equals(figure) && c.id().equals(id)).findFirst();
    }
}
