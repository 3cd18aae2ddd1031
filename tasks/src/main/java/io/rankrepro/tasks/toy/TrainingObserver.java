package io.rankrepro.tasks.toy;

import java.io.IOException;

/** What {@link DiagonalHeadTrainer} reports while it runs. */
public interface TrainingObserver {

    /** The full-batch loss at the weights of {@code step} (before that step's update). */
    void onLoss(long step, double loss) throws IOException;

    /** The weights after {@code step} updates, at a checkpoint step. */
    void onCheckpoint(long step, DiagonalHeadWeights weights) throws IOException;

    /**
     * At the start of {@code step}, before anything of it is reported: the moment a snapshot to
     * resume from is consistent (the weights after {@code step} updates, every report of earlier steps).
     */
    default void beforeStep(long step, java.util.function.Supplier<DiagonalHeadWeights> weights) throws IOException {
    }
}
