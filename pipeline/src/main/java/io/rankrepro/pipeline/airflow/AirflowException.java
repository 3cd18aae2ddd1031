package io.rankrepro.pipeline.airflow;

/**
 * A failed call to Airflow: the HTTP status (0 when Airflow did not answer) and Airflow's own
 * message (its {@code detail}), never the credentials or the token.
 */
public final class AirflowException extends RuntimeException {
    private final int status;

    public AirflowException(int status, String message) {
        super(message);
        this.status = status;
    }

    public AirflowException(String message, Throwable cause) {
        super(message, cause);
        this.status = 0;
    }

    /** The HTTP status, or 0 when there was no response (connection refused, timeout). */
    public int status() {
        return status;
    }
}
