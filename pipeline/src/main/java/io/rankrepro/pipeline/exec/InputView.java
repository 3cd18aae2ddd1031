package io.rankrepro.pipeline.exec;

import io.rankrepro.pipeline.plan.PlannedInput;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a task sees of an upstream output: a folder holding exactly the files its contract
 * declares, hard-linked from the verified output (copied where links cannot be made), so a read
 * it did not declare fails here as it would in a rebuild from tracked artifacts.
 */
final class InputView {
    private InputView() { }

    /** The files of {@code output} (path → SHA-256) that {@code in} reads. */
    static Map<String, String> select(Map<String, String> output, PlannedInput in) {
        Map<String, String> out = new TreeMap<>();
        for (String name : in.files()) {
            if (name.endsWith("/")) {
                output.forEach((f, sha) -> {
                    if (f.startsWith(name)) {
                        out.put(f, sha);
                    }
                });
            } else if (output.containsKey(name)) {
                out.put(name, output.get(name));
            }
            // a declared file its producer did not write this time (prepare writes images.npz or tokens.npz)
            // is simply absent from the view: the task says what it missed if it needed it
        }
        return out;
    }

    /** A folder {@code view} with links to {@code files} of {@code from}. */
    static Path link(Path from, Collection<String> files, Path view) throws IOException {
        Files.createDirectories(view);
        for (String f : files) {
            Path target = view.resolve(f);
            Files.createDirectories(target.getParent());
            try {
                Files.createLink(target, from.resolve(f));
            } catch (UnsupportedOperationException | IOException e) {
                Files.copy(from.resolve(f), target);
            }
        }
        return view;
    }
}
