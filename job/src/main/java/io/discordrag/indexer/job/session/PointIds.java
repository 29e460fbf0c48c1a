package io.discordrag.indexer.job.session;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * The one point-id function (DESIGN: deterministic IDs): a chunk's point id is the UUIDv5 (RFC
 * 4122, SHA-1) of {@link #NAMESPACE} and the chunk's identity — guild, channel and first message id
 * — so the same data gives the same ids in streaming, backfill and replay.
 */
public final class PointIds {

    /**
     * Fixed namespace of discord-rag-indexer point ids. Never change it: every stored id depends on
     * it.
     */
    public static final UUID NAMESPACE = UUID.fromString("6f2b5d5e-3c1a-5b7e-9a41-0d1c2e3f4a5b");

    private PointIds() {}

    /**
     * The point id of the chunk of channel {@code channelId} in guild {@code guildId} starting at
     * {@code firstMessageId}.
     */
    public static UUID forChunk(long guildId, long channelId, long firstMessageId) {
        return uuidV5(
                NAMESPACE,
                Long.toUnsignedString(guildId)
                        + ":"
                        + Long.toUnsignedString(channelId)
                        + ":"
                        + Long.toUnsignedString(firstMessageId));
    }

    /** RFC 4122 name-based UUID, version 5. */
    static UUID uuidV5(UUID namespace, String name) {
        MessageDigest sha1;
        try {
            sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every Java platform", e);
        }
        sha1.update(
                ByteBuffer.allocate(16)
                        .putLong(namespace.getMostSignificantBits())
                        .putLong(namespace.getLeastSignificantBits())
                        .array());
        byte[] hash = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
        hash[6] = (byte) ((hash[6] & 0x0f) | 0x50); // version 5
        hash[8] = (byte) ((hash[8] & 0x3f) | 0x80); // IETF variant
        ByteBuffer bb = ByteBuffer.wrap(hash, 0, 16);
        return new UUID(bb.getLong(), bb.getLong());
    }
}
