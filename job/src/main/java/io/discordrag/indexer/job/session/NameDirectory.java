package io.discordrag.indexer.job.session;

import io.discordrag.indexer.job.config.PostgresOptions;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Author display names ({@code users}) and channel names and guilds ({@code channels}), looked up
 * in Postgres by id and cached. Names are read when a message enters a session, so a rename shows
 * in sessions (re)computed after the cache entry expires ({@code lookup.cache-ttl}); ids with no
 * row are cached for a short time only, so a row written just after its message is found soon. Not
 * thread-safe: one instance per operator instance. A failed query is retried once on a fresh
 * connection.
 */
public final class NameDirectory implements AutoCloseable {

    /** A channel's guild and name. */
    public record ChannelInfo(long guildId, String name) {}

    static final int MAX_ENTRIES = 100_000;
    static final Duration MISSING_TTL = Duration.ofSeconds(5);

    private final PostgresOptions postgres;
    private final long ttlMillis;
    private final Cache<Optional<String>> users = new Cache<>();
    private final Cache<Optional<ChannelInfo>> channels = new Cache<>();
    private final Cache<Boolean> guilds = new Cache<>();
    private Connection connection;

    public NameDirectory(PostgresOptions postgres, Duration ttl) {
        this.postgres = postgres;
        this.ttlMillis = ttl.toMillis();
    }

    /**
     * The author's display name (global name, else username), or empty when {@code users} has no
     * row.
     */
    public Optional<String> authorName(long userId) throws SQLException {
        return users.get(
                userId,
                id ->
                        query(
                                "SELECT username, global_name FROM users WHERE id = ?",
                                id,
                                rs ->
                                        Optional.ofNullable(
                                                rs.next()
                                                        ? SessionMessage.displayName(
                                                                rs.getString(2), rs.getString(1))
                                                        : null)),
                Optional::isPresent);
    }

    /** The channel's guild and name, or empty when {@code channels} has no row. */
    public Optional<ChannelInfo> channel(long channelId) throws SQLException {
        return channels.get(
                channelId,
                id ->
                        query(
                                "SELECT guild_id, name FROM channels WHERE id = ?",
                                id,
                                rs ->
                                        Optional.ofNullable(
                                                rs.next()
                                                        ? new ChannelInfo(
                                                                rs.getLong(1), rs.getString(2))
                                                        : null)),
                Optional::isPresent);
    }

    /** Whether any channel of this guild is known. */
    public boolean guildKnown(long guildId) throws SQLException {
        return guilds.get(
                guildId,
                id ->
                        query(
                                "SELECT EXISTS (SELECT 1 FROM channels WHERE guild_id = ?)",
                                id,
                                rs -> rs.next() && rs.getBoolean(1)),
                known -> known);
    }

    private interface RowReader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private <T> T query(String sql, long id, RowReader<T> reader) throws SQLException {
        try {
            return queryOnce(sql, id, reader);
        } catch (SQLException first) {
            closeConnection();
            return queryOnce(sql, id, reader);
        }
    }

    private <T> T queryOnce(String sql, long id, RowReader<T> reader) throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = postgres.connect();
            connection.setReadOnly(true);
        }
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return reader.read(rs);
            }
        }
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // already broken
            }
            connection = null;
        }
    }

    @Override
    public void close() {
        closeConnection();
    }

    private interface Loader<V> {
        V load(long id) throws SQLException;
    }

    /**
     * LRU map with per-entry expiry: found values live {@code ttl}, missing ones {@link
     * #MISSING_TTL}.
     */
    private final class Cache<V> {
        private record Entry<V>(V value, long expiresAt) {}

        private final Map<Long, Entry<V>> map =
                new LinkedHashMap<>(1024, 0.75f, true) {
                    @Override
                    protected boolean removeEldestEntry(Map.Entry<Long, Entry<V>> eldest) {
                        return size() > MAX_ENTRIES;
                    }
                };

        V get(long id, Loader<V> loader, java.util.function.Predicate<V> found)
                throws SQLException {
            long now = System.currentTimeMillis();
            Entry<V> e = map.get(id);
            if (e != null && e.expiresAt > now) {
                return e.value;
            }
            V value = loader.load(id);
            map.put(
                    id,
                    new Entry<>(
                            value, now + (found.test(value) ? ttlMillis : MISSING_TTL.toMillis())));
            return value;
        }
    }
}
