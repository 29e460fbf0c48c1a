package io.discordrag.indexer.job;

/** What the indexer job runs. */
public enum JobMode {
    /** Snapshot {@code messages}, then follow its changes for ever. */
    STREAMING,
    /**
     * Read {@code messages} once (a bounded snapshot, split by primary-key ranges), index it with
     * BATCH execution and finish. Points already indexed with the same content are not embedded
     * again.
     */
    BACKFILL,
    /**
     * A backfill into a new collection ({@code qdrant.collection}, e.g. for another model) that
     * embeds every session afresh, then one atomic move of {@code qdrant.alias} from the collection
     * readers use to the new one. Readers never see the new collection before it is complete.
     */
    REINDEX;

    /** Whether this mode reads a bounded input and runs with BATCH execution. */
    public boolean bounded() {
        return this != STREAMING;
    }
}
