-- discord-rag-indexer: what change data capture needs. Apply after 01-schema.sql, as a superuser
-- (or a role allowed to create roles and publications).
--
-- Server prerequisite (postgresql.conf, needs a restart): wal_level = logical, and
-- max_replication_slots / max_wal_senders of at least 1 each for the job.
--
-- Least privilege: the job's role can log in, replicate and read the bot's tables; it writes only
-- messages.qdrant_point_id and message_sessions. The publication is created here, by an admin, so the
-- job runs with Debezium's publication.autocreate.mode=disabled and needs no CREATE on the database.
--
-- Set the role's password separately, never in this file, e.g. in psql:
--   \password discord_indexer
-- or ALTER ROLE discord_indexer PASSWORD '...' from a secret store.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'discord_indexer') THEN
        CREATE ROLE discord_indexer WITH LOGIN REPLICATION;
    END IF;
END
$$;

GRANT SELECT ON users, channels, messages TO discord_indexer;
GRANT UPDATE (qdrant_point_id) ON messages TO discord_indexer;
GRANT SELECT, INSERT, UPDATE, DELETE ON message_sessions TO discord_indexer;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = 'discord_indexer_pub') THEN
        CREATE PUBLICATION discord_indexer_pub FOR TABLE public.messages;
    ELSIF NOT EXISTS (SELECT 1 FROM pg_publication_tables
                      WHERE pubname = 'discord_indexer_pub' AND schemaname = 'public' AND tablename = 'messages') THEN
        ALTER PUBLICATION discord_indexer_pub ADD TABLE public.messages;
    END IF;
END
$$;
