package io.discordrag.indexer.job.verify;

import io.discordrag.indexer.job.config.PostgresOptions;
import io.discordrag.indexer.job.session.ChannelRef;
import io.discordrag.indexer.job.session.Conversation;
import io.discordrag.indexer.job.session.ConversationPlanner;
import io.discordrag.indexer.job.session.NameDirectory;
import io.discordrag.indexer.job.session.PlannedPoint;
import io.discordrag.indexer.job.session.RowInterpreter;
import io.discordrag.indexer.job.session.SessionMessage;
import io.discordrag.indexer.job.session.SessionTextRenderer;
import io.discordrag.indexer.job.session.SessionizerOptions;
import io.discordrag.indexer.job.sink.qdrant.PayloadSchema;
import io.discordrag.indexer.job.sink.qdrant.SessionPayload;
import io.discordrag.indexer.job.source.MessageRow;

import io.qdrant.client.PointIdFactory;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.WithPayloadSelectorFactory;
import io.qdrant.client.WithVectorsSelectorFactory;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.ScrollPoints;
import io.qdrant.client.grpc.Points.ScrollResponse;
import io.qdrant.client.grpc.Points.WithPayloadSelector;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;

import static io.qdrant.client.ConditionFactory.match;
import static io.qdrant.client.ConditionFactory.matchValues;

/**
 * Compares Postgres (the truth) with the Qdrant collection and reports every {@link Finding} with
 * ids.
 *
 * <p>It streams {@code messages} once, ordered by guild, channel, time and id, through a
 * server-side cursor, and rebuilds each channel's sessions and chunks with the job's own rules
 * ({@link RowInterpreter}, {@link ConversationPlanner}); each expected point is fetched by id and
 * compared (message ids, content up to names, channel, guild, model), and each row's {@code
 * qdrant_point_id} is checked against the point that should cover it. Then the points Qdrant holds
 * for the channel, the guild and (for a whole-collection run) outside every known guild are
 * scrolled, and any point no session produces is classified as orphan, wrong guild or stale. Memory
 * is bounded by one session's rows and one channel's expected point ids.
 *
 * <p>It checks a settled index: sessions still open in a running job (newer than {@code
 * session.idle-timeout}) show up as uncovered.
 */
public final class IndexVerifier {

    private static final int FETCH_SIZE = 1000;
    private static final int RETRIEVE_BATCH = 128;
    private static final int SCROLL_PAGE = 512;
    private static final String ROWS = "SELECT " + MessageRow.COLUMNS + " FROM messages";
    private static final String ORDER = " ORDER BY guild_id, channel_id, message_timestamp, id";
    private static final List<String> KEY_FIELDS =
            List.of(PayloadSchema.GUILD_ID, PayloadSchema.CHANNEL_ID, PayloadSchema.MESSAGE_IDS);

    private final PostgresOptions postgres;
    private final QdrantClient qdrant;
    private final String collection;
    private final String model;
    private final ConversationPlanner planner;
    private final Consumer<String> progress;
    private final Duration progressInterval;

    private VerifyReport report;
    private Connection lookup;
    private long estimatedRows;
    private long startNanos;
    private long lastProgressNanos;

    /**
     * @param model the embedding model id points must carry; {@code tokenCounter} its tokenizer
     *     (chunking)
     * @param progress receives a progress line every {@code progressInterval}
     */
    public IndexVerifier(
            PostgresOptions postgres,
            QdrantClient qdrant,
            String collection,
            SessionizerOptions sessions,
            String model,
            ToIntFunction<String> tokenCounter,
            Consumer<String> progress,
            Duration progressInterval) {
        this.postgres = Objects.requireNonNull(postgres, "postgres");
        this.qdrant = Objects.requireNonNull(qdrant, "qdrant");
        this.collection = Objects.requireNonNull(collection, "collection");
        this.model = Objects.requireNonNull(model, "model");
        this.planner =
                new ConversationPlanner(
                        Objects.requireNonNull(sessions, "sessions"),
                        model,
                        Objects.requireNonNull(tokenCounter, "tokenCounter"));
        this.progress = Objects.requireNonNull(progress, "progress");
        this.progressInterval = Objects.requireNonNull(progressInterval, "progressInterval");
    }

    /** Verifies one guild ({@code guild} set) or the whole collection ({@code null}). */
    public VerifyReport verify(Long guild, int maxFindings) throws Exception {
        report = new VerifyReport(maxFindings);
        startNanos = System.nanoTime();
        lastProgressNanos = startNanos;
        try (Connection rows = postgres.connect();
                Connection lookupConnection = postgres.connect();
                NameDirectory names = new NameDirectory(postgres, Duration.ofMinutes(10))) {
            lookup = lookupConnection;
            estimatedRows = estimateRows(lookup, guild);
            RowInterpreter interpreter = new RowInterpreter(names);
            rows.setAutoCommit(false); // pgjdbc streams with a cursor only inside a transaction
            Set<Long> guildsSeen = new LinkedHashSet<>();
            try (PreparedStatement ps =
                    rows.prepareStatement(
                            ROWS + (guild == null ? "" : " WHERE guild_id = ?") + ORDER,
                            ResultSet.TYPE_FORWARD_ONLY,
                            ResultSet.CONCUR_READ_ONLY)) {
                ps.setFetchSize(FETCH_SIZE);
                if (guild != null) {
                    ps.setLong(1, guild);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    ChannelCheck channel = null;
                    Set<Long> guildChannels = new LinkedHashSet<>();
                    while (rs.next()) {
                        MessageRow row = MessageRow.read(rs);
                        if (channel == null
                                || row.guildId() != channel.guildId
                                || row.channelId() != channel.channelId) {
                            if (channel != null) {
                                channel.finish();
                                if (row.guildId() != channel.guildId) {
                                    finishGuild(channel.guildId, guildChannels);
                                    guildChannels = new LinkedHashSet<>();
                                }
                            }
                            channel = new ChannelCheck(row.guildId(), row.channelId());
                            guildChannels.add(row.channelId());
                            guildsSeen.add(row.guildId());
                            report.channels++;
                        }
                        channel.add(row, interpreter.interpret(row));
                        report.messagesRead++;
                        maybeReportProgress();
                    }
                    if (channel != null) {
                        channel.finish();
                        finishGuild(channel.guildId, guildChannels);
                    } else if (guild != null) {
                        finishGuild(
                                guild,
                                guildChannels); // no messages at all: every point of it is an
                        // orphan
                    }
                }
            }
            rows.commit();
            if (guild == null) {
                checkUnexpected(
                        Filter.newBuilder()
                                .addMustNot(
                                        matchValues(
                                                PayloadSchema.GUILD_ID,
                                                new ArrayList<>(guildsSeen)))
                                .build());
            }
            report.guilds = guild == null ? guildsSeen.size() : 1;
        } finally {
            lookup = null;
        }
        report.seconds = (System.nanoTime() - startNanos) / 1e9;
        return report;
    }

    private void maybeReportProgress() {
        long now = System.nanoTime();
        if (now - lastProgressNanos < progressInterval.toNanos()) {
            return;
        }
        lastProgressNanos = now;
        double seconds = (now - startNanos) / 1e9;
        String of =
                estimatedRows > 0
                        ? String.format(
                                " of ~%,d (%d%%)",
                                estimatedRows,
                                Math.min(100, report.messagesRead * 100 / estimatedRows))
                        : "";
        progress.accept(
                String.format(
                        "verify: %,d messages%s read, %,d points checked, %,d inconsistencies so far, "
                                + "%.0f messages/s",
                        report.messagesRead,
                        of,
                        report.pointsChecked,
                        report.total(),
                        report.messagesRead / Math.max(seconds, 1e-3)));
    }

    private static long estimateRows(Connection c, Long guild) throws SQLException {
        String sql =
                guild == null
                        ? "SELECT GREATEST(reltuples, 0)::bigint FROM pg_class WHERE oid = 'messages'::regclass"
                        : "SELECT count(*) FROM messages WHERE guild_id = ?";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (guild != null) {
                ps.setLong(1, guild);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    /**
     * The points of this guild in channels that hold none of its messages, and points of its
     * channels that name another guild.
     */
    private void finishGuild(long guildId, Set<Long> channels) throws Exception {
        Filter.Builder outside =
                Filter.newBuilder().addMust(match(PayloadSchema.GUILD_ID, guildId));
        if (!channels.isEmpty()) {
            outside.addMustNot(matchValues(PayloadSchema.CHANNEL_ID, new ArrayList<>(channels)));
            checkUnexpected(
                    Filter.newBuilder()
                            .addMust(
                                    matchValues(
                                            PayloadSchema.CHANNEL_ID, new ArrayList<>(channels)))
                            .addMustNot(match(PayloadSchema.GUILD_ID, guildId))
                            .build());
        }
        checkUnexpected(outside.build());
    }

    /**
     * Classifies every point matching {@code filter}: none of them is produced by the current
     * messages.
     */
    private void checkUnexpected(Filter filter) throws Exception {
        scroll(
                filter,
                WithPayloadSelectorFactory.include(KEY_FIELDS),
                p -> classifyUnexpected(p, null));
    }

    private interface PointVisitor {
        void visit(RetrievedPoint point) throws Exception;
    }

    private void scroll(Filter filter, WithPayloadSelector payload, PointVisitor visitor)
            throws Exception {
        PointId offset = null;
        do {
            ScrollPoints.Builder request =
                    ScrollPoints.newBuilder()
                            .setCollectionName(collection)
                            .setLimit(SCROLL_PAGE)
                            .setFilter(filter)
                            .setWithPayload(payload)
                            .setWithVectors(WithVectorsSelectorFactory.enable(false));
            if (offset != null) {
                request.setOffset(offset);
            }
            ScrollResponse page = qdrant.scrollAsync(request.build()).get();
            for (RetrievedPoint p : page.getResultList()) {
                visitor.visit(p);
            }
            offset = page.hasNextPageOffset() ? page.getNextPageOffset() : null;
        } while (offset != null);
    }

    /**
     * A point that no current session produces (or produces under another guild): wrong guild if
     * any of its messages belongs to another guild than its payload says, orphan if none of them is
     * live, else stale (superseded: its live messages belong in other points).
     */
    private void classifyUnexpected(RetrievedPoint p, Long expectedGuild) throws Exception {
        report.pointsChecked++;
        Map<String, Value> payload = p.getPayloadMap();
        String id = p.getId().getUuid();
        long guild = integer(payload, PayloadSchema.GUILD_ID);
        long channel = integer(payload, PayloadSchema.CHANNEL_ID);
        List<Long> ids = integers(payload, PayloadSchema.MESSAGE_IDS);
        List<Long> otherGuild = new ArrayList<>();
        List<Long> live = new ArrayList<>();
        long ownerGuild = expectedGuild == null ? guild : expectedGuild;
        try (PreparedStatement ps =
                lookup.prepareStatement(
                        "SELECT id, guild_id, content, message_timestamp, is_deleted FROM messages WHERE id = ANY (?)")) {
            Array array = lookup.createArrayOf("bigint", ids.toArray());
            ps.setArray(1, array);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (rs.getLong(2) != guild) {
                        otherGuild.add(rs.getLong(1));
                        ownerGuild = rs.getLong(2);
                    }
                    MessageRow row =
                            new MessageRow(
                                    rs.getLong(1),
                                    rs.getLong(2),
                                    channel,
                                    0,
                                    rs.getString(3),
                                    rs.getObject(4, OffsetDateTime.class).toInstant(),
                                    null,
                                    rs.getBoolean(5),
                                    null);
                    if (!row.deleted() && RowInterpreter.skipReason(row) == null) {
                        live.add(row.id());
                    }
                }
            }
        }
        if (!otherGuild.isEmpty()) {
            report.addPointFinding(
                    new Finding(
                            Finding.Kind.WRONG_GUILD,
                            guild,
                            channel,
                            id,
                            otherGuild,
                            "the payload names guild "
                                    + Long.toUnsignedString(guild)
                                    + " but these messages belong to guild "
                                    + Long.toUnsignedString(ownerGuild)));
        } else if (live.isEmpty()) {
            report.addPointFinding(
                    new Finding(
                            Finding.Kind.ORPHAN,
                            guild,
                            channel,
                            id,
                            ids,
                            "none of its messages is live in Postgres (deleted, emptied or missing)"));
        } else {
            report.addPointFinding(
                    new Finding(
                            Finding.Kind.STALE,
                            guild,
                            channel,
                            id,
                            live,
                            "superseded: these live messages belong in other points; this point should have been deleted"));
        }
    }

    /** The expected point of one chunk. */
    private record Expected(
            String pointId,
            List<SessionMessage> messages,
            List<Long> messageIds,
            long conversationId) {}

    /** One channel's rows, grouped into sessions as they stream by. */
    private final class ChannelCheck {
        final long guildId;
        final long channelId;
        String channelName;
        final ConversationPlanner.Scan scan = planner.scan();
        final Map<Long, String> sessionWriteBack = new HashMap<>();
        final List<Expected> pending = new ArrayList<>();
        final Set<String> expectedIds = new HashSet<>();

        ChannelCheck(long guildId, long channelId) {
            this.guildId = guildId;
            this.channelId = channelId;
        }

        void add(MessageRow row, RowInterpreter.Result r) throws Exception {
            if (row.deleted() || r.skipped()) {
                checkWriteBack(row.id(), row.qdrantPointId(), null);
                return;
            }
            channelName = r.channelName();
            SessionMessage m = r.message();
            for (Conversation closed : scan.add(m)) {
                closeConversation(closed);
            }
            sessionWriteBack.put(m.id(), row.qdrantPointId());
        }

        void closeConversation(Conversation c) throws Exception {
            List<PlannedPoint> points =
                    planner.points(new ChannelRef(guildId, channelId, channelName), c);
            if (points.isEmpty()) {
                for (SessionMessage m : c.messages()) {
                    checkWriteBack(m.id(), sessionWriteBack.get(m.id()), null);
                }
            } else {
                for (PlannedPoint p : points) {
                    List<Long> ids = p.messages().stream().map(SessionMessage::id).toList();
                    for (SessionMessage m : p.messages()) {
                        checkWriteBack(m.id(), sessionWriteBack.get(m.id()), p.pointId());
                    }
                    pending.add(
                            new Expected(
                                    p.pointId(),
                                    p.messages(),
                                    ids,
                                    p.conversationFirstMessageId()));
                    expectedIds.add(p.pointId());
                }
                if (pending.size() >= RETRIEVE_BATCH) {
                    comparePending();
                }
            }
            for (SessionMessage m : c.messages()) {
                sessionWriteBack.remove(m.id());
            }
        }

        void checkWriteBack(long messageId, String recorded, String expected) {
            if (!Objects.equals(recorded, expected)) {
                report.add(
                        new Finding(
                                Finding.Kind.WRITE_BACK,
                                guildId,
                                channelId,
                                expected,
                                List.of(messageId),
                                "messages.qdrant_point_id is "
                                        + recorded
                                        + ", expected "
                                        + expected));
            }
        }

        void comparePending() throws Exception {
            if (pending.isEmpty()) {
                return;
            }
            List<PointId> ids = new ArrayList<>(pending.size());
            for (Expected e : pending) {
                ids.add(PointIdFactory.id(UUID.fromString(e.pointId())));
            }
            Map<String, RetrievedPoint> found = new HashMap<>();
            for (RetrievedPoint p :
                    qdrant.retrieveAsync(collection, ids, true, false, null).get()) {
                found.put(p.getId().getUuid(), p);
            }
            for (Expected e : pending) {
                compare(e, found.get(e.pointId()));
            }
            pending.clear();
        }

        void compare(Expected e, RetrievedPoint p) throws Exception {
            if (p == null) {
                report.add(
                        new Finding(
                                Finding.Kind.UNCOVERED,
                                guildId,
                                channelId,
                                e.pointId(),
                                e.messageIds(),
                                "their session's point is missing from Qdrant"));
                return;
            }
            report.pointsChecked++;
            Map<String, Value> payload = p.getPayloadMap();
            long guild = integer(payload, PayloadSchema.GUILD_ID);
            if (guild != guildId) {
                report.addPointFinding(
                        new Finding(
                                Finding.Kind.WRONG_GUILD,
                                guild,
                                channelId,
                                e.pointId(),
                                e.messageIds(),
                                "the payload names guild "
                                        + Long.toUnsignedString(guild)
                                        + " but these messages belong to guild "
                                        + Long.toUnsignedString(guildId)));
                return;
            }
            List<Long> actualIds = integers(payload, PayloadSchema.MESSAGE_IDS);
            if (!actualIds.equals(e.messageIds())) {
                List<Long> missing = new ArrayList<>(e.messageIds());
                missing.removeAll(actualIds);
                List<Long> extra = new ArrayList<>(actualIds);
                extra.removeAll(e.messageIds());
                report.addPointFinding(
                        new Finding(
                                Finding.Kind.STALE,
                                guildId,
                                channelId,
                                e.pointId(),
                                actualIds,
                                "message_ids disagree with Postgres: should be "
                                        + e.messageIds()
                                        + " (extra "
                                        + extra
                                        + ", missing "
                                        + missing
                                        + ")"));
                if (!missing.isEmpty()) {
                    report.add(
                            new Finding(
                                    Finding.Kind.UNCOVERED,
                                    guildId,
                                    channelId,
                                    e.pointId(),
                                    missing,
                                    "missing from their session's point"));
                }
                return;
            }
            String content =
                    payload.containsKey(PayloadSchema.CONTENT)
                            ? payload.get(PayloadSchema.CONTENT).getStringValue()
                            : "";
            boolean cut = content.length() >= SessionPayload.MAX_CONTENT_CHARS - 1;
            if (!SessionTextRenderer.matchesIgnoringNames(content, e.messages(), cut)) {
                report.addPointFinding(
                        new Finding(
                                Finding.Kind.STALE,
                                guildId,
                                channelId,
                                e.pointId(),
                                e.messageIds(),
                                "content disagrees with the messages' current text (an edit or delete not applied)"));
                return;
            }
            if (integer(payload, PayloadSchema.CHANNEL_ID) != channelId) {
                report.addPointFinding(
                        new Finding(
                                Finding.Kind.STALE,
                                guildId,
                                channelId,
                                e.pointId(),
                                e.messageIds(),
                                "the payload names channel "
                                        + Long.toUnsignedString(
                                                integer(payload, PayloadSchema.CHANNEL_ID))));
                return;
            }
            String pointModel =
                    payload.containsKey(PayloadSchema.MODEL)
                            ? payload.get(PayloadSchema.MODEL).getStringValue()
                            : "";
            if (!pointModel.equals(model)) {
                report.addPointFinding(
                        new Finding(
                                Finding.Kind.STALE,
                                guildId,
                                channelId,
                                e.pointId(),
                                e.messageIds(),
                                "embedded with model " + pointModel + ", the index uses " + model));
                return;
            }
            long conversation = PayloadSchema.conversationId(payload);
            if (conversation != e.conversationId()) {
                report.addPointFinding(
                        new Finding(
                                Finding.Kind.STALE,
                                guildId,
                                channelId,
                                e.pointId(),
                                e.messageIds(),
                                "the payload names conversation "
                                        + Long.toUnsignedString(conversation)
                                        + ", its messages belong to conversation "
                                        + Long.toUnsignedString(e.conversationId())));
            }
        }

        void finish() throws Exception {
            for (Conversation last : scan.finish()) {
                closeConversation(last);
            }
            comparePending();
            scroll(
                    Filter.newBuilder()
                            .addMust(match(PayloadSchema.GUILD_ID, guildId))
                            .addMust(match(PayloadSchema.CHANNEL_ID, channelId))
                            .build(),
                    WithPayloadSelectorFactory.include(KEY_FIELDS),
                    p -> {
                        if (!expectedIds.contains(p.getId().getUuid())) {
                            classifyUnexpected(p, guildId);
                        }
                    });
        }
    }

    private static long integer(Map<String, Value> payload, String key) {
        Value v = payload.get(key);
        return v == null ? 0 : v.getIntegerValue();
    }

    private static List<Long> integers(Map<String, Value> payload, String key) {
        Value v = payload.get(key);
        List<Long> out = new ArrayList<>();
        if (v != null) {
            for (Value item : v.getListValue().getValuesList()) {
                out.add(item.getIntegerValue());
            }
        }
        return out;
    }
}
