package io.rankrepro.tasks.task;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * What a task kind promises: its params record, the outputs of upstream stages it reads (direct
 * or transitive, each named: nothing else reaches the task) and the files it writes. The planner
 * checks a spec against it before anything runs, the runner hands the task exactly the declared
 * inputs, and {@code --from-run} fetches exactly those from the runs that produced them.
 *
 * <p>File names are relative to a task's output folder; a name ending in {@code /} is a folder
 * (all of it); outputs may use globs ({@code *.png}, {@code checkpoints/*.safetensors}).
 *
 * @param params   the params record the stage's params bind to
 * @param inputs   what it reads, per upstream stage
 * @param outputs  what it writes (patterns); a file it writes outside them fails the task
 * @param external files outside the pipeline it reads, given its params (real data sets): their
 *                 content is hashed into its key
 */
public record Contract(Class<? extends Record> params, List<Input> inputs, List<String> outputs,
                       Function<Record, List<Path>> external) {

    public Contract {
        Objects.requireNonNull(params, "params");
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        external = external == null ? p -> List.of() : external;
    }

    /**
     * Files of one upstream stage's output.
     *
     * @param stage    the upstream stage's name (on this task's sweep branch; every branch for a gather)
     * @param files    file or folder ({@code name/}) names it reads
     * @param optional true when the spec may lack that stage (e.g. a checkpoint given by path instead)
     */
    public record Input(String stage, List<String> files, boolean optional) {
        public Input {
            files = List.copyOf(files);
        }
    }

    /** Start a contract for a kind whose params bind to {@code params}. */
    public static <P extends Record> Builder<P> of(Class<P> params) {
        return new Builder<>(params);
    }

    /** The input from {@code stage}, if declared. */
    public java.util.Optional<Input> input(String stage) {
        return inputs.stream().filter(i -> i.stage().equals(stage)).findFirst();
    }

    /** Whether {@code file} (relative, '/'-separated) is among the declared outputs. */
    public boolean writes(String file) {
        return outputs.stream().anyMatch(pattern -> matches(pattern, file));
    }

    /** Whether a read of {@code name} (a file, or a folder {@code dir/}) is served by the declared outputs. */
    public boolean provides(String name) {
        if (name.endsWith("/")) {
            return outputs.stream().anyMatch(o -> o.startsWith(name));
        }
        return writes(name);
    }

    static boolean matches(String pattern, String file) {
        if (pattern.endsWith("/")) {
            return file.startsWith(pattern);
        }
        if (pattern.indexOf('*') < 0 && pattern.indexOf('?') < 0) {
            return pattern.equals(file);
        }
        PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
        return m.matches(Path.of(file));
    }

    /** Builds a {@link Contract}; reads and writes in the order a reader would list them. */
    public static final class Builder<P extends Record> {
        private final Class<P> params;
        private final List<Input> inputs = new ArrayList<>();
        private final List<String> outputs = new ArrayList<>();
        private Function<Record, List<Path>> external;

        private Builder(Class<P> params) {
            this.params = params;
        }

        /** Reads {@code files} of the output of stage {@code stage}. */
        public Builder<P> reads(String stage, String... files) {
            inputs.add(new Input(stage, List.of(files), false));
            return this;
        }

        /** Reads {@code files} of stage {@code stage} when the spec has that stage. */
        public Builder<P> readsIfPresent(String stage, String... files) {
            inputs.add(new Input(stage, List.of(files), true));
            return this;
        }

        public Builder<P> writes(String... patterns) {
            outputs.addAll(List.of(patterns));
            return this;
        }

        /** Files outside the pipeline that the task reads, given its params: hashed into its key. */
        @SuppressWarnings("unchecked")
        public Builder<P> external(Function<P, List<Path>> files) {
            this.external = p -> files.apply((P) p);
            return this;
        }

        public Contract build() {
            return new Contract(params, inputs, outputs, external);
        }
    }
}
