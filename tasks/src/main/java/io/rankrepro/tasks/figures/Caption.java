package io.rankrepro.tasks.figures;

import io.rankrepro.tasks.task.SpecInfo;

import java.util.ArrayList;
import java.util.List;

/**
 * A figure's caption, in one format for every figure: what it is and its spec id, then paper,
 * profile, seed and data, then any notes the figure adds (a legend key, the optimizer, the
 * datasets of its runs).
 */
public record Caption(String title, String id, String paper, String profile, long seed, String data, List<String> notes) {

    public Caption {
        notes = List.copyOf(notes);
    }

    /** Everything from the spec; the data as the spec says it. */
    public static Caption of(SpecInfo spec) {
        return new Caption(spec.title(), spec.id(), spec.paper(), spec.profile(), spec.seed(), spec.data(), List.of());
    }

    /** The data as the figure's inputs say it (e.g. a proxy dataset named by its training run). */
    public Caption data(String label) {
        return new Caption(title, id, paper, profile, seed, label, notes);
    }

    public Caption note(String line) {
        return notes(List.of(line));
    }

    public Caption notes(List<String> lines) {
        List<String> all = new ArrayList<>(notes);
        all.addAll(lines);
        return new Caption(title, id, paper, profile, seed, data, all);
    }

    /** {@code title (id)}; {@code paper — profile P — seed S — data: D}; then the notes. */
    public List<String> lines() {
        List<String> lines = new ArrayList<>();
        String what = title == null || title.isBlank() ? id : title;
        lines.add(id == null || id.equals(what) ? what : what + " (" + id + ")");
        lines.add((paper == null || paper.isBlank() ? "" : paper + " — ") + "profile " + profile + " — seed " + seed
                + " — data: " + data);
        lines.addAll(notes);
        return lines;
    }
}
