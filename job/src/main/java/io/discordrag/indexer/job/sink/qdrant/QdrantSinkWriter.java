package io.discordrag.indexer.job.sink.qdrant;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.Points.DeletePoints;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.PointsIdsList;
import io.qdrant.client.grpc.Points.PointsSelector;
import io.qdrant.client.grpc.Points.UpsertPoints;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.util.function.ThrowingRunnable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static io.qdrant.client.PointIdFactory.id;
import static io.qdrant.client.VectorsFactory.vectors;

/**
 * Buffers point operations and writes them to Qdrant with {@code wait=true}, without blocking the
 * task thread. The buffer keeps one operation per point id — the last one emitted, which alone
 * decides the point's final state — so a batch's upserts and deletes touch distinct points. One
 * batch is in flight at a time, retried with backoff until it succeeds or the attempts run out; the
 * next batch goes only after Qdrant acknowledged it, which keeps the per-point order. Replies and
 * retries come back to the task thread through the {@link MailboxExecutor}; nothing is enqueued
 * after {@link #close()}.
 *
 * <p>A checkpoint does not wait for Qdrant: the operations not acknowledged yet (the batch in
 * flight, then the buffer) are the writer's state, and a writer restored from it writes them first.
 * The first checkpoint after a restore waits (yielding to the mailbox) until the restored
 * operations are acknowledged: after a rescale another subtask may hold newer operations for the
 * same points, and those are released to the sinks only once a checkpoint after the restore
 * completes ({@code ReleaseAfterCheckpoint}), so no restored operation can overwrite a newer one.
 * At end of input {@link #flush} writes everything, yielding to the mailbox while it waits.
 */
class QdrantSinkWriter<IN> implements StatefulSinkWriter<IN, QdrantWriterState> {

    private static final Logger LOG = LoggerFactory.getLogger(QdrantSinkWriter.class);

    static final String POINTS_UPSERTED = "pointsUpserted";
    static final String POINTS_DELETED = "pointsDeleted";
    static final String BATCH_SIZE = "qdrantBatchSize";
    static final String REQUEST_LATENCY_MS = "qdrantRequestLatencyMs";
    static final String RETRIES = "qdrantRetries";
    static final String PERMANENT_FAILURES = "qdrantPermanentFailures";
    static final String CURRENT_BACKOFF_MS = "qdrantCurrentBackoffMs";

    /**
     * Histogram {@code commitToQdrantLagMs}: Postgres commit to Qdrant acknowledgement, per change
     * type.
     */
    public static final String COMMIT_LAG = "commitToQdrantLagMs";

    /** Key of the commit-lag subgroup; its value (insert, edit, delete) becomes a label. */
    public static final String CHANGE_KEY = "change";

    /**
     * Batches' worth of points that may wait behind the batch in flight before {@link #write}
     * waits.
     */
    static final int BUFFERED_BATCHES = 4;

    private final QdrantClient client;
    private final String target;
    private final QdrantSinkOptions options;
    private final OperationEmitter<IN> emitter;
    private final MailboxExecutor mailbox;
    private final ProcessingTimeService timers;
    private final ScheduledExecutorService retryTimer;
    private final Object enqueueLock = new Object();
    private volatile boolean closed;

    /** The newest operation per point id, oldest first; only the task thread touches it. */
    private final LinkedHashMap<UUID, Pending> buffer = new LinkedHashMap<>();

    private long bufferedBytes;
    private Batch inFlight;

    /** A flush was asked for: send batch after batch until the buffer is empty. */
    private boolean draining;

    /** Buffered or in-flight entries that stand for operations restored from a checkpoint. */
    private int restoredUnacknowledged;

    private final Map<String, Histogram> commitLag = new HashMap<>();
    private final MetricGroup metrics;
    private final Counter recordsSend;
    private final Counter bytesSend;
    private final Counter sendErrors;
    private final Counter upserted;
    private final Counter deleted;
    private final Counter retries;
    private final Counter permanentFailures;
    private final Histogram batchSize;
    private final Histogram latency;
    private volatile long currentBackoffMs;
    private volatile long lastSendTimeMs;

    /** A buffered operation with the input records and commits it stands for (for metrics). */
    private static final class Pending {
        final PointOperation op;

        /** Stands for an operation restored from a checkpoint (itself, or one it replaced). */
        boolean restored;

        long records;
        final List<Map.Entry<String, Long>> commits = new ArrayList<>(0);

        Pending(PointOperation op) {
            this.op = op;
        }
    }

    /**
     * A batch being written: its upsert request, then its delete request, each retried on its own.
     */
    private static final class Batch {
        final List<Pending> entries;
        final long bytes;
        final List<Request> requests;
        final long startNanos = System.nanoTime();
        int next;
        int attempt;

        Batch(List<Pending> entries, long bytes, List<Request> requests) {
            this.entries = entries;
            this.bytes = bytes;
            this.requests = requests;
        }
    }

    private record Request(
            String what,
            PointId firstPoint,
            int points,
            boolean upsert,
            Supplier<ListenableFuture<?>> call) {}

    QdrantSinkWriter(
            QdrantConnectionOptions connection,
            QdrantCollectionOptions collection,
            QdrantSinkOptions options,
            OperationEmitter<IN> emitter,
            SinkWriterMetricGroup metrics,
            MailboxExecutor mailbox,
            ProcessingTimeService timers,
            Collection<QdrantWriterState> restored) {
        this.options = options;
        this.emitter = emitter;
        this.mailbox = mailbox;
        this.timers = timers;
        this.target = collection.collection();
        this.client = QdrantClients.create(connection);
        if (options.bootstrapVectorSize() > 0) {
            try {
                CollectionBootstrap.ensure(client, collection, options.bootstrapVectorSize());
            } catch (RuntimeException e) {
                client.close();
                throw e;
            }
        }
        this.retryTimer =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "qdrant-sink-retry-" + target);
                            t.setDaemon(true);
                            return t;
                        });
        this.metrics = metrics;
        this.recordsSend = metrics.getNumRecordsSendCounter();
        this.bytesSend = metrics.getNumBytesSendCounter();
        this.sendErrors = metrics.getNumRecordsSendErrorsCounter();
        metrics.setCurrentSendTimeGauge(() -> lastSendTimeMs);
        this.upserted = metrics.counter(POINTS_UPSERTED);
        this.deleted = metrics.counter(POINTS_DELETED);
        this.retries = metrics.counter(RETRIES);
        this.permanentFailures = metrics.counter(PERMANENT_FAILURES);
        this.batchSize = metrics.histogram(BATCH_SIZE, new DescriptiveStatisticsHistogram(1024));
        this.latency =
                metrics.histogram(REQUEST_LATENCY_MS, new DescriptiveStatisticsHistogram(1024));
        metrics.gauge(CURRENT_BACKOFF_MS, () -> currentBackoffMs);
        int restoredOps = 0;
        for (QdrantWriterState state : restored) {
            for (PointOperation op : state.operations()) {
                Pending p = buffer(op);
                if (!p.restored) {
                    p.restored = true;
                    restoredUnacknowledged++;
                }
                restoredOps++;
            }
        }
        LOG.info(
                "Qdrant sink writer for collection '{}' started{}",
                target,
                restoredOps == 0
                        ? ""
                        : "; writing "
                                + restoredOps
                                + " operations restored from a checkpoint first");
        if (restoredOps > 0) {
            draining = true;
            sendNext();
        }
        scheduleFlush();
    }

    private void scheduleFlush() {
        timers.registerTimer(
                timers.getCurrentProcessingTime() + options.flushInterval().toMillis(),
                now -> {
                    if (!closed) {
                        draining = true;
                        sendNext();
                        scheduleFlush();
                    }
                });
    }

    @Override
    public void write(IN element, Context context) throws IOException, InterruptedException {
        List<PointOperation> ops = new ArrayList<>(1);
        emitter.emit(element, ops::add);
        Map<String, Long> commits = emitter.commitTimes(element);
        if (ops.isEmpty()) {
            recordsSend.inc(); // nothing to write for this record
            recordCommitLag(commits.entrySet(), System.currentTimeMillis());
            return;
        }
        Pending last = null;
        for (PointOperation op : ops) {
            last = buffer(op);
        }
        last.records++;
        last.commits.addAll(commits.entrySet());
        if (buffer.size() >= options.maxBatchPoints() || bufferedBytes >= options.maxBatchBytes()) {
            sendNext();
        }
        // backpressure: let replies and retries run until the batch in flight makes room
        while (inFlight != null
                && (buffer.size() >= BUFFERED_BATCHES * options.maxBatchPoints()
                        || bufferedBytes >= BUFFERED_BATCHES * options.maxBatchBytes())) {
            mailbox.yield();
        }
    }

    /**
     * Buffers {@code op} as the newest operation of its point, taking over what the one it replaces
     * stood for.
     */
    private Pending buffer(PointOperation op) {
        Pending pending = new Pending(op);
        Pending replaced =
                buffer.remove(op.pointId()); // re-inserted at the end: the newest operation
        if (replaced != null) {
            bufferedBytes -= replaced.op.estimatedBytes();
            pending.records = replaced.records;
            pending.commits.addAll(replaced.commits);
            pending.restored = replaced.restored;
        }
        buffer.put(op.pointId(), pending);
        bufferedBytes += op.estimatedBytes();
        return pending;
    }

    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        draining = true;
        sendNext();
        if (endOfInput || restoredUnacknowledged > 0) {
            while (endOfInput
                    ? inFlight != null || !buffer.isEmpty()
                    : restoredUnacknowledged > 0) {
                if (inFlight == null) {
                    sendNext();
                } else {
                    mailbox.yield();
                }
            }
        }
    }

    @Override
    public List<QdrantWriterState> snapshotState(long checkpointId) {
        List<PointOperation> unacknowledged = new ArrayList<>();
        if (inFlight != null) {
            inFlight.entries.forEach(p -> unacknowledged.add(p.op));
        }
        buffer.values().forEach(p -> unacknowledged.add(p.op));
        return unacknowledged.isEmpty()
                ? List.of()
                : List.of(new QdrantWriterState(unacknowledged));
    }

    /** Sends the next batch from the buffer, unless one is in flight. */
    private void sendNext() {
        if (inFlight != null || buffer.isEmpty() || closed) {
            return;
        }
        List<Pending> entries = new ArrayList<>();
        long bytes = 0;
        List<PointStruct> upserts = new ArrayList<>();
        List<PointId> deletes = new ArrayList<>();
        for (Iterator<Pending> it = buffer.values().iterator();
                it.hasNext()
                        && entries.size() < options.maxBatchPoints()
                        && bytes < options.maxBatchBytes(); ) {
            Pending p = it.next();
            it.remove();
            entries.add(p);
            bytes += p.op.estimatedBytes();
            if (p.op instanceof PointOperation.Upsert u) {
                upserts.add(
                        PointStruct.newBuilder()
                                .setId(id(u.pointId()))
                                .setVectors(vectors(u.vector()))
                                .putAllPayload(PayloadSchema.toQdrant(u.payload()))
                                .build());
            } else {
                deletes.add(id(p.op.pointId()));
            }
        }
        bufferedBytes -= bytes;
        if (buffer.isEmpty()) {
            draining = false;
        }
        List<Request> requests = new ArrayList<>(2);
        if (!upserts.isEmpty()) {
            UpsertPoints request =
                    UpsertPoints.newBuilder()
                            .setCollectionName(target)
                            .setWait(true)
                            .addAllPoints(upserts)
                            .build();
            requests.add(
                    new Request(
                            "upsert of " + upserts.size() + " points",
                            upserts.get(0).getId(),
                            upserts.size(),
                            true,
                            () -> client.upsertAsync(request)));
        }
        if (!deletes.isEmpty()) {
            DeletePoints request =
                    DeletePoints.newBuilder()
                            .setCollectionName(target)
                            .setWait(true)
                            .setPoints(
                                    PointsSelector.newBuilder()
                                            .setPoints(
                                                    PointsIdsList.newBuilder().addAllIds(deletes)))
                            .build();
            requests.add(
                    new Request(
                            "delete of " + deletes.size() + " points",
                            deletes.get(0),
                            deletes.size(),
                            false,
                            () -> client.deleteAsync(request)));
        }
        inFlight = new Batch(entries, bytes, requests);
        send(inFlight);
    }

    /** Sends the batch's current request; its reply comes back as a mail. */
    private void send(Batch batch) {
        batch.attempt++;
        long start = System.nanoTime();
        ListenableFuture<?> reply;
        try {
            reply = batch.requests.get(batch.next).call().get();
        } catch (RuntimeException e) {
            reply = Futures.immediateFailedFuture(e);
        }
        Futures.addCallback(
                reply,
                new FutureCallback<Object>() {
                    @Override
                    public void onSuccess(Object result) {
                        long ms = (System.nanoTime() - start) / 1_000_000;
                        enqueue(() -> onReply(batch, ms, null), "Qdrant write acknowledged");
                    }

                    @Override
                    public void onFailure(Throwable error) {
                        long ms = (System.nanoTime() - start) / 1_000_000;
                        enqueue(() -> onReply(batch, ms, error), "Qdrant write failed");
                    }
                },
                MoreExecutors.directExecutor());
    }

    /** Runs {@code action} on the task thread, unless the writer is closed. */
    private void enqueue(ThrowingRunnable<? extends Exception> action, String description) {
        synchronized (enqueueLock) {
            if (closed) {
                return;
            }
            try {
                mailbox.execute(action, description);
            } catch (RejectedExecutionException e) {
                LOG.debug("Mailbox closed; dropping '{}' for collection '{}'", description, target);
            }
        }
    }

    private void onReply(Batch batch, long latencyMs, Throwable error) throws IOException {
        if (closed || batch != inFlight) {
            return;
        }
        Request request = batch.requests.get(batch.next);
        if (error == null) {
            latency.update(latencyMs);
            currentBackoffMs = 0;
            (request.upsert() ? upserted : deleted).inc(request.points());
            batch.next++;
            batch.attempt = 0;
            if (batch.next < batch.requests.size()) {
                send(batch);
            } else {
                acknowledged(batch);
                if (draining
                        || buffer.size() >= options.maxBatchPoints()
                        || bufferedBytes >= options.maxBatchBytes()) {
                    sendNext();
                }
            }
            return;
        }
        String where =
                "Qdrant "
                        + request.what()
                        + " in collection '"
                        + target
                        + "' (first point "
                        + request.firstPoint().getUuid()
                        + ")";
        QdrantErrorClassifier.Decision decision = QdrantErrorClassifier.classify(error);
        if (!decision.retryable()) {
            permanentFailures.inc();
            sendErrors.inc(batch.entries.size());
            throw new IOException(
                    where
                            + " failed permanently ("
                            + decision.reason()
                            + "): "
                            + error.getMessage(),
                    error);
        }
        if (batch.attempt >= options.maxAttempts()) {
            sendErrors.inc(batch.entries.size());
            throw new IOException(
                    where
                            + " still failing after "
                            + batch.attempt
                            + " attempts (qdrant.retry.max-attempts); failing the task so Flink restarts it from "
                            + "the last checkpoint: "
                            + error.getMessage(),
                    error);
        }
        long backoff = backoffMillis(batch.attempt);
        retries.inc();
        currentBackoffMs = backoff;
        LOG.warn(
                "{} failed (attempt {} of {}, {}), retrying in {} ms: {}",
                where,
                batch.attempt,
                options.maxAttempts(),
                decision.reason(),
                backoff,
                error.getMessage());
        try {
            retryTimer.schedule(
                    () ->
                            enqueue(
                                    () -> {
                                        if (!closed && batch == inFlight) {
                                            send(batch);
                                        }
                                    },
                                    "Qdrant write retry"),
                    backoff,
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closed meanwhile
        }
    }

    private void acknowledged(Batch batch) {
        inFlight = null;
        lastSendTimeMs = (System.nanoTime() - batch.startNanos) / 1_000_000;
        batchSize.update(batch.entries.size());
        bytesSend.inc(batch.bytes);
        long now = System.currentTimeMillis();
        for (Pending p : batch.entries) {
            if (p.restored) {
                restoredUnacknowledged--;
            }
            recordsSend.inc(p.records);
            recordCommitLag(p.commits, now);
        }
    }

    private void recordCommitLag(Collection<Map.Entry<String, Long>> commits, long now) {
        for (Map.Entry<String, Long> commit : commits) {
            commitLag
                    .computeIfAbsent(
                            commit.getKey(),
                            type ->
                                    metrics.addGroup(CHANGE_KEY, type)
                                            .histogram(
                                                    COMMIT_LAG,
                                                    new DescriptiveStatisticsHistogram(4096)))
                    .update(Math.max(0, now - commit.getValue()));
        }
    }

    /**
     * Exponential backoff with equal jitter: a delay in [cap/2, cap], where cap doubles from {@code
     * qdrant.retry.initial-backoff} with each attempt up to {@code qdrant.retry.max-backoff}.
     */
    long backoffMillis(int attempt) {
        long initial = options.initialBackoff().toMillis();
        long cap = Math.min(options.maxBackoff().toMillis(), initial << Math.min(attempt - 1, 30));
        return cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1);
    }

    @Override
    public void close() throws Exception {
        synchronized (enqueueLock) {
            closed = true;
        }
        retryTimer.shutdownNow();
        client.close();
    }
}
