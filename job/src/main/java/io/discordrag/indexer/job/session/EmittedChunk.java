package io.discordrag.indexer.job.session;

/**
 * What the {@link Sessionizer} remembers of a point it wrote: the time range of its messages, the
 * fingerprint of what was embedded, and the first message of its session (to recognise merges).
 */
public record EmittedChunk(
        long startMillis, long endMillis, String fingerprint, long sessionFirstMessageId) {

    boolean overlaps(long from, long to) {
        return startMillis <= to && endMillis >= from;
    }
}
