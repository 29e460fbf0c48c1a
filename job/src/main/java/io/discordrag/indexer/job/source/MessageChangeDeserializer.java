package io.discordrag.indexer.job.source;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.cdc.debezium.DebeziumDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * Decodes Debezium change records of {@code public.messages} into {@link MessageChange}s. Records
 * that are not row changes of that table (heartbeats, other tables) are skipped and logged at debug
 * level; a row change that cannot be decoded fails with a message naming the message id and the
 * field, since it means the table does not have the schema the job was built for.
 */
public final class MessageChangeDeserializer
        implements DebeziumDeserializationSchema<MessageChange> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(MessageChangeDeserializer.class);

    @Override
    public void deserialize(SourceRecord record, Collector<MessageChange> out) {
        if (!(record.value() instanceof Struct value) || value.schema().field("op") == null) {
            LOG.debug("Skipping non-change record on topic {}", record.topic());
            return;
        }
        Struct source = value.getStruct("source");
        String table = source == null ? null : source.getString("table");
        if (table != null && !"messages".equals(table)) {
            LOG.debug("Skipping change of table {}", table);
            return;
        }
        MessageChange.Kind kind =
                switch (value.getString("op")) {
                    case "r" -> MessageChange.Kind.SNAPSHOT;
                    case "c" -> MessageChange.Kind.INSERT;
                    case "u" -> MessageChange.Kind.UPDATE;
                    case "d" -> MessageChange.Kind.DELETE;
                    default -> null;
                };
        if (kind == null) {
            LOG.debug("Skipping change with op {}", value.getString("op"));
            return;
        }
        long commitTime =
                source != null && source.get("ts_ms") != null ? source.getInt64("ts_ms") : 0L;
        long lsn =
                source != null && source.schema().field("lsn") != null && source.get("lsn") != null
                        ? source.getInt64("lsn")
                        : 0L;
        out.collect(
                new MessageChange(
                        kind,
                        row(value.getStruct("before")),
                        row(value.getStruct("after")),
                        commitTime,
                        lsn));
    }

    static MessageRow row(Struct s) {
        if (s == null) {
            return null;
        }
        Long id = s.getInt64("id");
        try {
            return new MessageRow(
                    id,
                    s.getInt64("guild_id"),
                    s.getInt64("channel_id"),
                    s.getInt64("author_id"),
                    s.getString("content"),
                    instant(s.get("message_timestamp")),
                    optionalLong(s, "reply_to_id"),
                    Boolean.TRUE.equals(s.getBoolean("is_deleted")),
                    optionalString(s, "qdrant_point_id"));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "Cannot decode the change of message "
                            + id
                            + " (does public.messages match deploy/sql/01-schema.sql?): "
                            + e.getMessage(),
                    e);
        }
    }

    private static Instant instant(Object value) {
        if (value instanceof String text) {
            return OffsetDateTime.parse(text)
                    .toInstant(); // Debezium ZonedTimestamp: ISO-8601 with offset
        }
        throw new IllegalArgumentException("message_timestamp has unexpected form " + value);
    }

    private static Long optionalLong(Struct s, String name) {
        Field f = s.schema().field(name);
        return f == null ? null : s.getInt64(name);
    }

    private static String optionalString(Struct s, String name) {
        Field f = s.schema().field(name);
        return f == null ? null : s.getString(name);
    }

    @Override
    public TypeInformation<MessageChange> getProducedType() {
        return TypeInformation.of(MessageChange.class);
    }
}
