package io.rankrepro.tasks.task;

/** Progress of long work (training steps, sweeps). Implementations decide how and how often to show it. */
public interface Progress {

    /** {@code done} of {@code total} units finished; {@code detail} is a short status such as "loss 0.0123". */
    void update(long done, long total, String detail);

    static Progress none() {
        return (done, total, detail) -> { };
    }
}
