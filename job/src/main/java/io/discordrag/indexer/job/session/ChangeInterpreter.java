package io.discordrag.indexer.job.session;

import io.discordrag.indexer.job.config.PostgresOptions;
import io.discordrag.indexer.job.source.MessageChange;
import io.discordrag.indexer.job.source.MessageRow;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Decides what each change of {@code messages} means for the sessions: a message to (re)index, a
 * message to take out, or nothing. The job's own write-back (an UPDATE that changes only {@code
 * qdrant_point_id}) is ignored, so it never causes re-embedding. Author and channel names come from
 * a cached {@link NameDirectory}.
 *
 * <p>Bad rows never stop the job: what {@link RowInterpreter} skips or repairs is logged with the
 * message id and counted by reason (counters {@code rowsSkipped} and {@code rowsRepaired} with a
 * {@code reason} label). A change that makes an indexed message unindexable (deleted, emptied)
 * takes it out of its session.
 */
public class ChangeInterpreter extends RichFlatMapFunction<MessageChange, ChannelEvent> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ChangeInterpreter.class);

    public static final Duration DEFAULT_LOOKUP_TTL = Duration.ofMinutes(10);

    public static final String WRITE_BACK_IGNORED = "writeBackIgnored";
    public static final String DELETED_ROWS_SEEN = "deletedRowsSeen";

    /** Accumulator (read by the backfill's progress log): changes read from the source. */
    public static final String ROWS_READ = "rowsRead";

    /**
     * Counter of rows not indexed, one per {@link #REASON} ({@link RowInterpreter#SKIP_REASONS}).
     */
    public static final String ROWS_SKIPPED = "rowsSkipped";

    /**
     * Counter of rows indexed after a repair, one per {@link #REASON} ({@link
     * RowInterpreter#REPAIR_REASONS}).
     */
    public static final String ROWS_REPAIRED = "rowsRepaired";

    /** The label ({@code addGroup(key, value)}) that names the reason of a skip or repair. */
    public static final String REASON = "reason";

    private final PostgresOptions postgres;
    private final Duration lookupTtl;

    private transient NameDirectory names;
    private transient RowInterpreter rows;
    private transient Counter writeBack;
    private transient Counter deletedSeen;
    private transient org.apache.flink.api.common.accumulators.LongCounter rowsRead;
    private transient Map<String, Counter> reasonCounters;

    public ChangeInterpreter(PostgresOptions postgres, Duration lookupTtl) {
        this.postgres = Objects.requireNonNull(postgres, "postgres cannot be null");
        this.lookupTtl = Objects.requireNonNull(lookupTtl, "lookupTtl cannot be null");
    }

    @Override
    public void open(OpenContext openContext) {
        postgres.requirePassword(); // before the chained CDC source connects: fail once, clearly
        JdbcDriverRelease.register(getRuntimeContext());
        names = new NameDirectory(postgres, lookupTtl);
        rows = new RowInterpreter(names);
        MetricGroup g = getRuntimeContext().getMetricGroup();
        writeBack = g.counter(WRITE_BACK_IGNORED);
        deletedSeen = g.counter(DELETED_ROWS_SEEN);
        rowsRead = new org.apache.flink.api.common.accumulators.LongCounter();
        getRuntimeContext().addAccumulator(ROWS_READ, rowsRead);
        // Changes read per kind are not counted here: Flink CDC counts them per table on the source
        // (numSnapshotRecords, numInsertDMLRecords, ...), and a backfill reads nothing but snapshot
        // rows,
        // counted by this operator's numRecordsIn.
        reasonCounters = new HashMap<>();
        for (String r : RowInterpreter.SKIP_REASONS) {
            reasonCounters.put(r, g.addGroup(REASON, r).counter(ROWS_SKIPPED));
        }
        for (String r : RowInterpreter.REPAIR_REASONS) {
            reasonCounters.put(r, g.addGroup(REASON, r).counter(ROWS_REPAIRED));
        }
    }

    @Override
    public void close() {
        if (names != null) {
            names.close();
        }
    }

    @Override
    public void flatMap(MessageChange change, Collector<ChannelEvent> out) throws Exception {
        rowsRead.add(1);
        MessageRow row = change.current();
        if (change.kind() == MessageChange.Kind.UPDATE
                && onlyPointIdChanged(change.before(), change.after())) {
            writeBack.inc();
            return;
        }
        boolean removal = change.kind() == MessageChange.Kind.DELETE || row.deleted();
        if (removal) {
            if (change.kind() == MessageChange.Kind.SNAPSHOT
                    || change.kind() == MessageChange.Kind.INSERT) {
                deletedSeen.inc(); // never indexed: nothing to take out
                return;
            }
            out.collect(remove(row, change));
            return;
        }
        RowInterpreter.Result r = rows.interpret(row);
        if (r.skipped()) {
            count(r.skipReason(), row, "skipped");
            if (change.kind() == MessageChange.Kind.UPDATE) {
                out.collect(
                        remove(
                                row,
                                change)); // an edit made it unindexable: take out the old version
            }
            return;
        }
        for (RowInterpreter.Repair repair : r.repairs()) {
            count(repair.reason(), row, repair.detail());
        }
        out.collect(
                ChannelEvent.upsert(
                        row.guildId(),
                        row.channelId(),
                        r.channelName(),
                        r.message(),
                        change.kind(),
                        change.commitTimeMillis()));
    }

    private static ChannelEvent remove(MessageRow row, MessageChange change) {
        return ChannelEvent.remove(
                row.guildId(),
                row.channelId(),
                Long.toUnsignedString(row.channelId()),
                row.id(),
                row.timestamp(),
                change.kind(),
                change.commitTimeMillis());
    }

    private void count(String reason, MessageRow row, String what) {
        Counter counter = reasonCounters.get(reason);
        counter.inc();
        long n = counter.getCount();
        // Every case is counted (metrics); the log names the first ones, then one line per 10,000
        // of a
        // reason, so a table with many bad rows cannot flood it.
        if (n <= LOGGED_PER_REASON) {
            LOG.warn(
                    "Message {} (guild {}, channel {}): {} — {}{}",
                    Long.toUnsignedString(row.id()),
                    Long.toUnsignedString(row.guildId()),
                    Long.toUnsignedString(row.channelId()),
                    reason,
                    what,
                    n == LOGGED_PER_REASON
                            ? " (further ones are counted in the metric "
                                    + ("skipped".equals(what) ? ROWS_SKIPPED : ROWS_REPAIRED)
                                    + "{"
                                    + REASON
                                    + "="
                                    + reason
                                    + "} and logged once every "
                                    + LOG_EVERY
                                    + ")"
                            : "");
        } else if (n % LOG_EVERY == 0) {
            LOG.warn(
                    "{} messages so far in this subtask: {} ({}), latest message {}",
                    n,
                    reason,
                    what,
                    Long.toUnsignedString(row.id()));
        }
    }

    static final long LOGGED_PER_REASON = 100;
    static final long LOG_EVERY = 10_000;

    /**
     * An UPDATE that changes nothing but {@code qdrant_point_id}: the job's own write-back coming
     * back.
     */
    static boolean onlyPointIdChanged(MessageRow before, MessageRow after) {
        if (before == null
                || after == null
                || Objects.equals(before.qdrantPointId(), after.qdrantPointId())) {
            return false;
        }
        return before.id() == after.id()
                && before.guildId() == after.guildId()
                && before.channelId() == after.channelId()
                && before.authorId() == after.authorId()
                && Objects.equals(before.content(), after.content())
                && Objects.equals(before.timestamp(), after.timestamp())
                && Objects.equals(before.replyToId(), after.replyToId())
                && before.deleted() == after.deleted();
    }
}
