package io.rankrepro.mlflow;

/** A tracking call failed: the server is unreachable, refused a request, or lacks something asked for. */
public class TrackingException extends RuntimeException {

    public TrackingException(String message) {
        super(message);
    }

    public TrackingException(String message, Throwable cause) {
        super(message, cause);
    }
}
