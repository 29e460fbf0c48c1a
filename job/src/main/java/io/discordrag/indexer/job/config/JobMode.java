package io.discordrag.indexer.job.config;

/** What the indexer job runs. Bounded backfill and re-index modes are planned (issues 7). */
public enum JobMode {
    /** Snapshot {@code messages}, then follow its changes for ever. */
    STREAMING
}
