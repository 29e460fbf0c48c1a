package io.discordrag.indexer.job.sink.qdrant;

import io.qdrant.client.ValueFactory;
import io.qdrant.client.grpc.Collections.DatetimeIndexParams;
import io.qdrant.client.grpc.Collections.IntegerIndexParams;
import io.qdrant.client.grpc.Collections.PayloadIndexParams;
import io.qdrant.client.grpc.Collections.PayloadSchemaType;
import io.qdrant.client.grpc.JsonWithInt.Value;

import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.qdrant.client.ValueFactory.value;

/**
 * The payload of a session point, in one place: field names and the payload indexes the collection
 * carries. Every point has an integer {@link #GUILD_ID}; every read path filters on it.
 */
public final class PayloadSchema {

    public static final String GUILD_ID = "guild_id";
    public static final String CHANNEL_ID = "channel_id";
    public static final String MESSAGE_IDS = "message_ids";
    public static final String MESSAGE_COUNT = "message_count";
    public static final String AUTHOR_IDS = "author_ids";
    public static final String START_TIME = "start_time";
    public static final String END_TIME = "end_time";
    public static final String CONTENT = "content";
    public static final String MODEL = "model";
    public static final String CHUNK = "chunk";
    public static final String CONVERSATION_ID = "conversation_id";

    /** A payload index: field, type and parameters. */
    public record Index(String field, PayloadSchemaType type, PayloadIndexParams params) {}

    private static final PayloadIndexParams INTEGER =
            PayloadIndexParams.newBuilder()
                    .setIntegerIndexParams(
                            IntegerIndexParams.newBuilder().setLookup(true).setRange(false))
                    .build();

    /**
     * Indexes created idempotently at startup (DESIGN: guild_id, channel_id, message_ids,
     * author_ids, start_time; conversation_id to fetch a conversation's other points).
     */
    public static final List<Index> INDEXES =
            List.of(
                    new Index(GUILD_ID, PayloadSchemaType.Integer, INTEGER),
                    new Index(CHANNEL_ID, PayloadSchemaType.Integer, INTEGER),
                    new Index(MESSAGE_IDS, PayloadSchemaType.Integer, INTEGER),
                    new Index(AUTHOR_IDS, PayloadSchemaType.Integer, INTEGER),
                    new Index(CONVERSATION_ID, PayloadSchemaType.Integer, INTEGER),
                    new Index(
                            START_TIME,
                            PayloadSchemaType.Datetime,
                            PayloadIndexParams.newBuilder()
                                    .setDatetimeIndexParams(
                                            DatetimeIndexParams.getDefaultInstance())
                                    .build()));

    private PayloadSchema() {}

    /** The Qdrant payload of a session point. Times are RFC 3339 in UTC. */
    public static Map<String, Value> toQdrant(SessionPayload p) {
        Map<String, Value> out = new LinkedHashMap<>();
        out.put(GUILD_ID, value(p.guildId()));
        out.put(CHANNEL_ID, value(p.channelId()));
        out.put(MESSAGE_IDS, longs(p.messageIds()));
        out.put(MESSAGE_COUNT, value(p.messageCount()));
        out.put(AUTHOR_IDS, longs(p.authorIds()));
        out.put(START_TIME, value(DateTimeFormatter.ISO_INSTANT.format(p.startTime())));
        out.put(END_TIME, value(DateTimeFormatter.ISO_INSTANT.format(p.endTime())));
        out.put(CONTENT, value(p.content()));
        out.put(MODEL, value(p.model()));
        out.put(CHUNK, value(p.chunk()));
        if (p.conversationId() != 0) {
            out.put(CONVERSATION_ID, value(p.conversationId()));
        }
        return out;
    }

    /**
     * The conversation a stored point belongs to. A point written before conversations has no
     * {@link #CONVERSATION_ID}; it was its session's first chunk or a later one, and a first
     * chunk's conversation is its first message (a later one's is unknown: 0).
     */
    public static long conversationId(Map<String, Value> payload) {
        Value id = payload.get(CONVERSATION_ID);
        if (id != null) {
            return id.getIntegerValue();
        }
        Value chunk = payload.get(CHUNK);
        Value ids = payload.get(MESSAGE_IDS);
        boolean first = chunk == null || chunk.getIntegerValue() == 0;
        return first && ids != null && ids.getListValue().getValuesCount() > 0
                ? ids.getListValue().getValues(0).getIntegerValue()
                : 0;
    }

    private static Value longs(long[] values) {
        List<Value> list = new ArrayList<>(values.length);
        for (long v : values) {
            list.add(value(v));
        }
        return ValueFactory.list(list);
    }
}
