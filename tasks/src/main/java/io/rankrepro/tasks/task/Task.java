package io.rankrepro.tasks.task;

import java.util.List;

/**
 * One kind of pipeline task (e.g. {@code diagonal-toy/train}). A task reads only
 * {@link TaskContext#inputs()} and {@link TaskContext#params()}, and writes only under
 * {@link TaskContext#outputDir()}; the runner hashes, publishes and uploads what it wrote.
 */
public interface Task {

    /** The name specs use for this task kind. */
    String kind();

    /** Its params record, the upstream outputs it reads and the files it writes. */
    default Contract contract() {
        return null; // legacy kinds, during the move to declared contracts: every ancestor's output, untyped params
    }

    void run(TaskContext ctx) throws Exception;

    /**
     * Problems with {@code params} (each naming the parameter), found before any compute:
     * wrong types, impossible values, sizes too large for the machine. Empty when fine.
     */
    default List<String> validate(Params params) {
        return List.of();
    }
}
