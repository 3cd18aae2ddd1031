package io.rankrepro.pipeline.cli;

/** A mistake in how the command was called: exit code 2, before any compute. */
final class UsageError extends RuntimeException {
    UsageError(String message) {
        super(message);
    }
}
