package io.discordrag.indexer.job.sink.qdrant;

import io.discordrag.indexer.job.session.ChunkUpdate;

import java.util.UUID;
import java.util.function.Consumer;

/**
 * Turns an embedded {@link ChunkUpdate} into its Qdrant point operation: an upsert with the session
 * payload, or a delete.
 */
public final class ChunkPointEmitter implements OperationEmitter<ChunkUpdate> {

    private static final long serialVersionUID = 1L;

    @Override
    public void emit(ChunkUpdate u, Consumer<PointOperation> out) {
        UUID id = UUID.fromString(u.pointId());
        if (u.kind() == ChunkUpdate.Kind.DELETE) {
            out.accept(PointOperation.delete(id));
            return;
        }
        if (u.vector() == null) {
            throw new IllegalStateException(
                    "Chunk " + u + " reached the Qdrant sink without its embedding");
        }
        out.accept(PointOperation.upsert(id, u.vector(), payload(u)));
    }

    @Override
    public java.util.Map<String, Long> commitTimes(ChunkUpdate u) {
        return u.pending() == null ? java.util.Map.of() : u.pending().byType();
    }

    /** The payload of a chunk's point (DESIGN: Qdrant collection). */
    public static SessionPayload payload(ChunkUpdate u) {
        return new SessionPayload(
                u.guildId(),
                u.channelId(),
                u.messageIds(),
                u.authorIds(),
                u.startTime(),
                u.endTime(),
                u.text(),
                u.model(),
                u.chunk(),
                u.conversationId());
    }
}
