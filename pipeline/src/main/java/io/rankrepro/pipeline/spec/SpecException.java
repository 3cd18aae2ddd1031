package io.rankrepro.pipeline.spec;

import java.util.List;

/** A spec that cannot be used, with every problem found, each naming the file and the field. */
public final class SpecException extends Exception {
    private final List<String> problems;

    public SpecException(String source, List<String> problems) {
        super(format(source, problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }

    private static String format(String source, List<String> problems) {
        StringBuilder sb = new StringBuilder("invalid spec " + source + ":");
        for (String p : problems) {
            sb.append("\n  - ").append(p);
        }
        return sb.toString();
    }
}
