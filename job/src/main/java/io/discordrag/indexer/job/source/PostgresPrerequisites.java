package io.discordrag.indexer.job.source;

import io.discordrag.indexer.job.config.NotReadyException;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks, before the job starts, everything change data capture needs from PostgreSQL, and reports
 * every missing piece with its fix — instead of a source that fails deep inside Debezium and a job
 * that restarts forever. Checked as the job's own role: {@code wal_level = logical}; the role may
 * replicate (REPLICATION or superuser); it can read {@code messages}, {@code users}, {@code
 * channels} and write {@code messages.qdrant_point_id} and {@code message_sessions}; the
 * publication exists and includes {@code public.messages}; {@code messages} has REPLICA IDENTITY
 * FULL; a replication slot is free.
 */
public final class PostgresPrerequisites {

    private PostgresPrerequisites() {}

    /** Throws {@link NotReadyException} listing every problem found; returns quietly if none. */
    public static void check(Connection connection, String publication, String slotName)
            throws SQLException {
        List<String> problems = findProblems(connection, publication, slotName);
        if (!problems.isEmpty()) {
            throw new NotReadyException(
                    "PostgreSQL is not ready for change data capture:\n  - "
                            + String.join("\n  - ", problems)
                            + "\nSee deploy/sql/02-cdc.sql and the README section 'Database setup'.");
        }
    }

    /**
     * For a backfill or reindex: throws {@link NotReadyException} when the streaming job's
     * replication slot is in use, i.e. a streaming job is running on this database — both would
     * write {@code message_sessions} and {@code messages.qdrant_point_id}, and neither would know
     * the other's points.
     */
    public static void checkSlotIdle(Connection connection, String slotName) throws SQLException {
        if (bool(
                connection,
                "SELECT active FROM pg_replication_slots WHERE slot_name = ?",
                slotName)) {
            throw new NotReadyException(
                    "Replication slot '"
                            + slotName
                            + "' is in use: a streaming job is "
                            + "running on this database. Stop it before a backfill or reindex (both write message_sessions) "
                            + "and start it afresh afterwards: it indexes what changed meanwhile without re-embedding "
                            + "the rest (README, 'Backfill').");
        }
    }

    /** Every problem found, each with its fix; empty when the database is ready. */
    public static List<String> findProblems(Connection c, String publication, String slotName)
            throws SQLException {
        List<String> problems = new ArrayList<>();
        String walLevel = single(c, "SHOW wal_level");
        if (!"logical".equals(walLevel)) {
            problems.add(
                    "wal_level is '"
                            + walLevel
                            + "', needs 'logical': set wal_level = logical in "
                            + "postgresql.conf (or ALTER SYSTEM SET wal_level = logical) and restart PostgreSQL");
        }
        String user = single(c, "SELECT current_user");
        if (!"t"
                .equals(
                        single(
                                c,
                                "SELECT (rolreplication OR rolsuper)::text::char FROM pg_roles WHERE rolname = current_user"))) {
            problems.add(
                    "role "
                            + user
                            + " may not replicate: ALTER ROLE "
                            + user
                            + " WITH REPLICATION");
        }
        for (String table : List.of("messages", "users", "channels")) {
            if (!exists(
                    c, "SELECT 1 FROM pg_class WHERE oid = to_regclass(?)", "public." + table)) {
                problems.add(
                        "table public."
                                + table
                                + " does not exist: apply deploy/sql/01-schema.sql");
            } else if (!bool(
                    c,
                    "SELECT has_table_privilege(current_user, ?, 'SELECT')",
                    "public." + table)) {
                problems.add(
                        "role "
                                + user
                                + " cannot read public."
                                + table
                                + ": GRANT SELECT ON "
                                + table
                                + " TO "
                                + user);
            }
        }
        if (exists(c, "SELECT 1 FROM pg_class WHERE oid = to_regclass(?)", "public.messages")) {
            if (!bool(
                    c,
                    "SELECT has_column_privilege(current_user, 'public.messages', 'qdrant_point_id', 'UPDATE')")) {
                problems.add(
                        "role "
                                + user
                                + " cannot write messages.qdrant_point_id: GRANT UPDATE (qdrant_point_id) ON messages TO "
                                + user);
            }
            String identity =
                    single(
                            c,
                            "SELECT relreplident::text FROM pg_class WHERE oid = 'public.messages'::regclass");
            if (!"f".equals(identity)) {
                problems.add(
                        "messages has REPLICA IDENTITY "
                                + describeIdentity(identity)
                                + ", needs FULL so hard deletes "
                                + "carry the whole row: ALTER TABLE messages REPLICA IDENTITY FULL");
            }
        }
        if (!exists(
                c,
                "SELECT 1 FROM pg_class WHERE oid = to_regclass(?)",
                "public.message_sessions")) {
            problems.add(
                    "table public.message_sessions does not exist: apply deploy/sql/01-schema.sql");
        } else if (!bool(
                c,
                "SELECT has_table_privilege(current_user, 'public.message_sessions', 'INSERT, UPDATE, DELETE')")) {
            problems.add(
                    "role "
                            + user
                            + " cannot write message_sessions: GRANT SELECT, INSERT, UPDATE, DELETE ON message_sessions TO "
                            + user);
        }
        if (!exists(c, "SELECT 1 FROM pg_publication WHERE pubname = ?", publication)) {
            problems.add(
                    "publication "
                            + publication
                            + " does not exist: as an admin, CREATE PUBLICATION "
                            + publication
                            + " FOR TABLE public.messages");
        } else if (!exists(
                c,
                "SELECT 1 FROM pg_publication_tables WHERE pubname = ? AND schemaname = 'public' "
                        + "AND tablename = 'messages'",
                publication)) {
            problems.add(
                    "publication "
                            + publication
                            + " does not include public.messages: ALTER PUBLICATION "
                            + publication
                            + " ADD TABLE public.messages");
        }
        boolean slotExists =
                exists(c, "SELECT 1 FROM pg_replication_slots WHERE slot_name = ?", slotName);
        if (!slotExists) {
            int free =
                    Integer.parseInt(
                            single(
                                    c,
                                    "SELECT current_setting('max_replication_slots')::int - "
                                            + "(SELECT count(*) FROM pg_replication_slots)"));
            if (free < 1) {
                problems.add(
                        "no free replication slot for "
                                + slotName
                                + ": raise max_replication_slots (restart) "
                                + "or drop an unused slot");
            }
        }
        return problems;
    }

    private static String describeIdentity(String code) {
        switch (code) {
            case "d":
                return "DEFAULT";
            case "n":
                return "NOTHING";
            case "i":
                return "USING INDEX";
            default:
                return code;
        }
    }

    private static String single(Connection c, String sql) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql);
                ResultSet r = s.executeQuery()) {
            return r.next() ? r.getString(1) : null;
        }
    }

    private static boolean bool(Connection c, String sql, String... args) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                s.setString(i + 1, args[i]);
            }
            try (ResultSet r = s.executeQuery()) {
                return r.next() && r.getBoolean(1);
            }
        }
    }

    private static boolean exists(Connection c, String sql, String... args) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                s.setString(i + 1, args[i]);
            }
            try (ResultSet r = s.executeQuery()) {
                return r.next();
            }
        }
    }
}
