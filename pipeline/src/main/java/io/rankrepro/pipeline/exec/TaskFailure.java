package io.rankrepro.pipeline.exec;

/** A task that could not run or did not finish, with a message meant for the user. */
public final class TaskFailure extends Exception {
    public TaskFailure(String message) {
        super(message);
    }

    public TaskFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
