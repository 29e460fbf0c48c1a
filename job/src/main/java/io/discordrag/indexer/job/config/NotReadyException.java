package io.discordrag.indexer.job.config;

/**
 * Something the job needs outside itself is missing or set up differently — a PostgreSQL
 * prerequisite, a busy replication slot, an unreachable Qdrant, a collection made for another
 * model. Thrown before the job runs; the message names the problem and its fix, so the job's {@code
 * main} prints it as one error without a stack trace and exits with 1.
 */
public class NotReadyException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    public NotReadyException(String message) {
        super(message);
    }

    public NotReadyException(String message, Throwable cause) {
        super(message, cause);
    }
}
