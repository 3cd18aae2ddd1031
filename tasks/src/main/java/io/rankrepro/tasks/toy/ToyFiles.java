package io.rankrepro.tasks.toy;

import java.nio.file.Path;

/** File names the diagonal-toy tasks agree on. */
public final class ToyFiles {
    /** prepare: X, Y, teacher_kq, teacher_vo. */
    public static final String DATA = "data.npz";
    /** train: one .npz of w_k, w_q, w_v, w_o per checkpoint step (the checkpoint stage copies this folder). */
    public static final String CHECKPOINTS = "checkpoints";
    /** train, analyze: step,tau,loss. */
    public static final String LOSS = "loss.csv";
    /** train (copied by analyze): the run's configuration, see {@link TrainRecord}. */
    public static final String TRAIN_RECORD = "train.json";
    /** analyze: step,tau,product,index,value. */
    public static final String ENTRIES = "entries.csv";
    /** analyze: step,tau,product,metric,value. */
    public static final String METRICS = "metrics.csv";
    /** analyze: stage,tau,loss,coordinate,sign,value. */
    public static final String GREEDY = "greedy.csv";
    /** analyze: stage,tau,product,index,value (the greedy weights at the end of each stage). */
    public static final String GREEDY_WEIGHTS = "greedy-weights.csv";

    private ToyFiles() { }

    public static String checkpointName(long step) {
        return String.format(java.util.Locale.ROOT, "step_%09d.npz", step);
    }

    /** The step of a checkpoint file name, or -1 when it is not one. */
    public static long checkpointStep(Path file) {
        String name = file.getFileName().toString();
        if (!name.matches("step_\\d{9}\\.npz")) {
            return -1;
        }
        return Long.parseLong(name.substring(5, 14));
    }
}
