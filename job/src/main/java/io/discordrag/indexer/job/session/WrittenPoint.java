package io.discordrag.indexer.job.session;

/**
 * What a plan needs to know of a point already written: the time range of its messages, the
 * fingerprint of what was embedded (empty when it must not be trusted, e.g. in a new collection),
 * and the first message of its conversation (to recognise merges).
 */
public record WrittenPoint(
        long startMillis, long endMillis, String fingerprint, long conversationFirstMessageId) {

    boolean overlaps(long fromMillis, long toMillis) {
        return startMillis <= toMillis && endMillis >= fromMillis;
    }
}
