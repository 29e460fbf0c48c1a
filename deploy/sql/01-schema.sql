-- discord-rag-indexer: PostgreSQL schema.
--
-- Apply as the database owner (psql -f deploy/sql/01-schema.sql), then 02-cdc.sql.
-- Idempotent: safe to re-run. The same file is applied by the test fixtures.
--
-- Tables written by the Discord bot (the job only reads them, except messages.qdrant_point_id):
--   users, channels, messages
-- Tables written by the job:
--   message_sessions, messages.qdrant_point_id

CREATE TABLE IF NOT EXISTS users (
    id          BIGINT PRIMARY KEY,            -- Discord user snowflake
    username    TEXT   NOT NULL,
    global_name TEXT                           -- display name; preferred over username when set
);

CREATE TABLE IF NOT EXISTS channels (
    id       BIGINT PRIMARY KEY,               -- Discord channel snowflake
    guild_id BIGINT NOT NULL,
    name     TEXT   NOT NULL
);

CREATE TABLE IF NOT EXISTS messages (
    id                BIGINT      PRIMARY KEY, -- Discord message snowflake
    guild_id          BIGINT      NOT NULL,
    channel_id        BIGINT      NOT NULL,
    author_id         BIGINT      NOT NULL,
    content           TEXT,                    -- may be empty (attachment-only messages)
    message_timestamp TIMESTAMPTZ NOT NULL,
    reply_to_id       BIGINT,
    is_deleted        BOOLEAN     NOT NULL DEFAULT FALSE,
    qdrant_point_id   UUID                     -- written by the job: the session point covering this message
);

CREATE INDEX IF NOT EXISTS messages_channel_time_idx
    ON messages (guild_id, channel_id, message_timestamp, id);
CREATE INDEX IF NOT EXISTS messages_point_idx
    ON messages (qdrant_point_id);

-- Hard deletes must carry the whole old row (guild, channel, timestamp) to the job, not just the key:
-- without this a DELETE reaches the CDC stream with only `id` and the session cannot be found.
ALTER TABLE messages REPLICA IDENTITY FULL;

CREATE TABLE IF NOT EXISTS message_sessions (
    id                  UUID        PRIMARY KEY, -- = the Qdrant point id (UUIDv5, deterministic)
    guild_id            BIGINT      NOT NULL,
    channel_id          BIGINT      NOT NULL,
    start_time          TIMESTAMPTZ NOT NULL,
    end_time            TIMESTAMPTZ NOT NULL,
    message_ids         BIGINT[]    NOT NULL,
    message_count       INTEGER     NOT NULL,
    chunk               INTEGER     NOT NULL DEFAULT 0,
    model               TEXT        NOT NULL,
    content_fingerprint TEXT,                    -- hash of the rendered text + model, to skip re-embedding
    indexed_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS message_sessions_channel_idx
    ON message_sessions (guild_id, channel_id, start_time);
