package io.rankrepro.tasks.task;

/**
 * One kind of pipeline task (e.g. {@code diagonal-toy/train}), with a declared {@link Contract}. A
 * task reads only its declared inputs ({@link TaskContext#input}) and its params record
 * ({@link TaskContext#params(Class)}), and writes only its declared outputs under
 * {@link TaskContext#outputDir()}; the runner hashes, publishes and uploads what it wrote.
 */
public interface Task {

    /** The name specs use for this task kind. */
    String kind();

    /**
     * Its params record (checked when bound: unknown names, types, bounds, sizes too large for the
     * machine), the upstream outputs it reads and the files it writes.
     */
    Contract contract();

    void run(TaskContext ctx) throws Exception;
}
