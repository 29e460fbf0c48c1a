package io.discordrag.indexer.testing.postgres;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Postgres fixture: a real server with logical replication and the production schema applied.
 */
class EmbeddedPostgresExtensionTest {

    @RegisterExtension
    static final EmbeddedPostgresExtension POSTGRES = new EmbeddedPostgresExtension();

    private static String queryString(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet r = s.executeQuery(sql)) {
            assertThat(r.next()).as("a row from %s", sql).isTrue();
            return r.getString(1);
        }
    }

    @Test
    void runsPostgres16WithLogicalReplication() throws Exception {
        try (Connection c = POSTGRES.adminConnection()) {
            assertThat(queryString(c, "SHOW server_version_num")).startsWith("16");
            assertThat(queryString(c, "SHOW wal_level")).isEqualTo("logical");
            assertThat(Integer.parseInt(queryString(c, "SHOW max_replication_slots"))).isPositive();
        }
    }

    @Test
    void appliesTheSchemaWithFullReplicaIdentityAndThePublication() throws Exception {
        try (Connection c = POSTGRES.adminConnection()) {
            assertThat(
                            queryString(
                                    c,
                                    "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM "
                                            + "information_schema.tables WHERE table_schema = 'public'"))
                    .isEqualTo("channels,message_sessions,messages,users");
            assertThat(
                            queryString(
                                    c,
                                    "SELECT relreplident FROM pg_class WHERE relname = 'messages'"))
                    .isEqualTo("f");
            assertThat(
                            queryString(
                                    c,
                                    "SELECT string_agg(tablename, ',') FROM pg_publication_tables "
                                            + "WHERE pubname = '"
                                            + EmbeddedPostgresExtension.PUBLICATION
                                            + "'"))
                    .isEqualTo("messages");
        }
    }

    @Test
    void schemaFilesAreIdempotent() throws Exception {
        for (String file : EmbeddedPostgresExtension.SCHEMA_FILES) {
            POSTGRES.execute(EmbeddedPostgresExtension.readSchemaFile(file));
        }
        try (Connection c = POSTGRES.adminConnection()) {
            assertThat(queryString(c, "SELECT count(*) FROM pg_publication")).isEqualTo("1");
        }
    }

    @Test
    void indexerRoleHasLeastPrivilege() throws Exception {
        POSTGRES.truncateAll();
        POSTGRES.execute(
                "INSERT INTO messages (id, guild_id, channel_id, author_id, content, message_timestamp) "
                        + "VALUES (1, 10, 100, 7, 'hello', now())");
        try (Connection c = POSTGRES.indexerConnection();
                Statement s = c.createStatement()) {
            assertThat(
                            queryString(
                                    c,
                                    "SELECT rolreplication FROM pg_roles WHERE rolname = current_user"))
                    .isEqualTo("t");
            assertThat(queryString(c, "SELECT content FROM messages WHERE id = 1"))
                    .isEqualTo("hello");
            assertThat(
                            s.executeUpdate(
                                    "UPDATE messages SET qdrant_point_id = gen_random_uuid() WHERE id = 1"))
                    .isEqualTo(1);
            assertThat(
                            s.executeUpdate(
                                    "INSERT INTO message_sessions (id, guild_id, channel_id, start_time, "
                                            + "end_time, message_ids, message_count, model) VALUES (gen_random_uuid(), 10, 100, now(), "
                                            + "now(), ARRAY[1::bigint], 1, 'm')"))
                    .isEqualTo(1);
            assertThatThrownBy(
                            () -> s.executeUpdate("UPDATE messages SET content = 'x' WHERE id = 1"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("permission denied");
            assertThatThrownBy(() -> s.execute("CREATE PUBLICATION p2 FOR TABLE messages"))
                    .isInstanceOf(SQLException.class);
        }
    }

    @Test
    void truncateAllEmptiesEveryTable() throws Exception {
        POSTGRES.execute("INSERT INTO users (id, username) VALUES (1, 'ann')");
        POSTGRES.truncateAll();
        try (Connection c = POSTGRES.adminConnection()) {
            assertThat(queryString(c, "SELECT count(*) FROM users")).isEqualTo("0");
        }
    }

    @Test
    void restartKeepsDataSlotsAndPortAndDropsConnections() throws Exception {
        int port = POSTGRES.port();
        POSTGRES.execute(
                "CREATE TABLE IF NOT EXISTS restart_probe (v int)",
                "INSERT INTO restart_probe VALUES (7)",
                "SELECT pg_create_logical_replication_slot('restart_probe_slot', 'pgoutput')");
        try (Connection before = POSTGRES.adminConnection()) {
            POSTGRES.restart(java.time.Duration.ofMillis(500));
            assertThatThrownBy(() -> queryString(before, "SELECT 1"))
                    .as("connections do not survive a restart")
                    .isInstanceOf(SQLException.class);
        }
        assertThat(POSTGRES.port()).isEqualTo(port);
        try (Connection c = POSTGRES.adminConnection()) {
            assertThat(queryString(c, "SELECT v FROM restart_probe")).isEqualTo("7");
            assertThat(
                            queryString(
                                    c,
                                    "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'restart_probe_slot'"))
                    .isEqualTo("1");
            assertThat(queryString(c, "SHOW wal_level")).isEqualTo("logical");
        } finally {
            POSTGRES.execute(
                    "SELECT pg_drop_replication_slot('restart_probe_slot')",
                    "DROP TABLE restart_probe");
        }
    }
}
