package io.rankrepro.pipeline.provenance;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A provenance manifest as a tree for people: the figure at the root, each task under the task
 * that read it, its files with (shortened) hashes and its MLflow run. A task read by several
 * others is printed in full once, then referred to.
 */
public final class ProvenanceTree {
    private final ProvenanceManifest manifest;
    private final int filesPerStep;
    private final Set<String> printed = new HashSet<>();
    private final StringBuilder out = new StringBuilder();

    private ProvenanceTree(ProvenanceManifest manifest, int filesPerStep) {
        this.manifest = manifest;
        this.filesPerStep = filesPerStep;
    }

    /** @param filesPerStep how many files to list per task before "… N more" (Integer.MAX_VALUE for all) */
    public static String render(ProvenanceManifest m, int filesPerStep) {
        ProvenanceTree tree = new ProvenanceTree(m, filesPerStep);
        tree.out.append(m.experiment()).append(" at profile ").append(m.profile()).append(", code ").append(m.codeVersion());
        if (m.parentRunId() != null) {
            tree.out.append("\nMLflow ").append(m.trackingUri()).append(", experiment ").append(m.mlflowExperimentId())
                    .append(", DAG run ").append(m.parentRunId());
        }
        tree.out.append("\nfigure files:\n");
        m.results().forEach((path, sha) -> tree.out.append("  ").append(path).append("  sha256 ").append(sha).append('\n'));
        for (String sink : m.figureTasks()) {
            tree.node(sink, "", "");
        }
        return tree.out.toString();
    }

    private void node(String taskId, String lead, String indent) {
        ProvenanceManifest.Step s = manifest.step(taskId);
        out.append(lead).append(s.taskId()).append("  [").append(s.kind()).append("]  key ").append(s.key(), 0, 12)
                .append("  run ").append(s.runId() == null ? "(untracked)" : s.runId());
        if (!printed.add(taskId)) {
            out.append("  (shown above)\n");
            return;
        }
        out.append(String.format("  %.1fs%n", s.computeSeconds()));
        List<String> ups = s.upstream();
        String childIndent = indent;
        String fileBar = ups.isEmpty() ? "    " : "│   ";
        int shown = 0;
        for (Map.Entry<String, String> f : s.files().entrySet()) {
            if (shown++ == filesPerStep) {
                out.append(childIndent).append(fileBar).append("… ").append(s.files().size() - filesPerStep).append(" more files\n");
                break;
            }
            out.append(childIndent).append(fileBar).append(f.getKey()).append("  ").append(f.getValue(), 0, 16).append("…\n");
        }
        for (int i = 0; i < ups.size(); i++) {
            boolean last = i == ups.size() - 1;
            node(ups.get(i), childIndent + (last ? "└── " : "├── "), childIndent + (last ? "    " : "│   "));
        }
    }
}
