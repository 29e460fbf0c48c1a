package io.discordrag.indexer.job.session;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * What the sessionizer decided about one point: upsert a chunk of a session (its messages, rendered
 * text and, after embedding, its vector) or delete a superseded point. For one point id the updates
 * travel in the order they were decided, through embedding to both sinks, so the last one wins.
 *
 * @param pointId the deterministic point id ({@link PointIds#forChunk}), as a UUID string
 * @param chunk index of this chunk within its conversation (0 for the first)
 * @param conversationId first message id of the chunk's conversation (0 for a delete)
 * @param text the rendered chunk text to embed; null for a delete
 * @param fingerprint hash of model, message ids and text: equal fingerprints need no re-embedding
 * @param pending commit times of the earliest changes, by type, this update brings to the index
 *     (for the commit-to-Qdrant lag metric)
 * @param vector the embedding, set by the embedding step; null before it and for deletes
 */
public record ChunkUpdate(
        Kind kind,
        String pointId,
        long guildId,
        long channelId,
        int chunk,
        long conversationId,
        long[] messageIds,
        long[] authorIds,
        Instant startTime,
        Instant endTime,
        String text,
        String fingerprint,
        String model,
        PendingChanges pending,
        float[] vector) {

    /** Write the point, or remove it. */
    public enum Kind {
        UPSERT,
        DELETE
    }

    /** The upsert of a planned point (its vector is set by the embedding step). */
    public static ChunkUpdate upsert(
            PlannedPoint p,
            long guildId,
            long channelId,
            io.discordrag.indexer.udf.EmbeddingOptions embedding,
            PendingChanges pending) {
        return new ChunkUpdate(
                Kind.UPSERT,
                p.pointId(),
                guildId,
                channelId,
                p.chunk(),
                p.conversationFirstMessageId(),
                p.messageIds(),
                p.authorIds(),
                p.startTime(),
                p.endTime(),
                p.text(),
                p.fingerprint(),
                embedding.model().id(),
                pending,
                null);
    }

    public static ChunkUpdate delete(
            String pointId, long guildId, long channelId, PendingChanges pending) {
        return new ChunkUpdate(
                Kind.DELETE,
                pointId,
                guildId,
                channelId,
                0,
                0,
                new long[0],
                new long[0],
                null,
                null,
                null,
                null,
                null,
                pending,
                null);
    }

    /** The text to embed, or null when this update needs no embedding (a delete). */
    public String textToEmbed() {
        return kind == Kind.UPSERT ? text : null;
    }

    public ChunkUpdate withVector(float[] newVector) {
        return new ChunkUpdate(
                kind,
                pointId,
                guildId,
                channelId,
                chunk,
                conversationId,
                messageIds,
                authorIds,
                startTime,
                endTime,
                text,
                fingerprint,
                model,
                pending,
                newVector);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChunkUpdate c
                && kind == c.kind
                && pointId.equals(c.pointId)
                && guildId == c.guildId
                && channelId == c.channelId
                && chunk == c.chunk
                && conversationId == c.conversationId
                && Arrays.equals(messageIds, c.messageIds)
                && Arrays.equals(authorIds, c.authorIds)
                && Objects.equals(startTime, c.startTime)
                && Objects.equals(endTime, c.endTime)
                && Objects.equals(text, c.text)
                && Objects.equals(fingerprint, c.fingerprint)
                && Objects.equals(model, c.model)
                && Objects.equals(pending, c.pending)
                && Arrays.equals(vector, c.vector);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                kind, pointId, guildId, channelId, chunk, Arrays.hashCode(messageIds), fingerprint);
    }

    @Override
    public String toString() {
        return kind
                + "{"
                + pointId
                + ", guild="
                + guildId
                + ", channel="
                + channelId
                + ", chunk="
                + chunk
                + ", messages="
                + Arrays.toString(messageIds)
                + "}";
    }
}
