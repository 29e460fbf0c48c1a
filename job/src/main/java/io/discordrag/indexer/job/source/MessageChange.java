package io.discordrag.indexer.job.source;

/**
 * A typed change of the {@code messages} table: what happened, the row before and after (either may
 * be null: no before for inserts and snapshot reads, no after for deletes), the commit time in
 * Postgres (for lag metrics) and the WAL position.
 */
public record MessageChange(
        Kind kind, MessageRow before, MessageRow after, long commitTimeMillis, long lsn) {

    /** The kind of change. */
    public enum Kind {
        /** A row present when the job started (snapshot phase). */
        SNAPSHOT,
        INSERT,
        UPDATE,
        DELETE
    }

    /** The row as it is now, or as it was for a delete. */
    public MessageRow current() {
        return after != null ? after : before;
    }
}
