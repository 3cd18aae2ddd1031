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
     * Its params record (checked when bound: unknown names, types, bounds), the upstream outputs it reads and the files it writes.
     */
    Contract contract();

    void run(TaskContext ctx) throws Exception;

    /**
     * A lower bound on the memory one run needs on its device ({@link ComputeDevice}), in bytes, from
     * its resolved params; empty where the kind does not estimate it. A plan shows it as a warning;
     * a run refuses, before any compute, a task the chosen device cannot hold.
     */
    default java.util.OptionalLong memoryBytes(java.util.Map<String, Object> params) {
        return java.util.OptionalLong.empty();
    }
}
