package io.discordrag.indexer.job.sink.qdrant;

import static io.qdrant.client.PointIdFactory.id;
import static io.qdrant.client.VectorsFactory.vectors;

import com.google.common.util.concurrent.ListenableFuture;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.Points.DeletePoints;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.PointsIdsList;
import io.qdrant.client.grpc.Points.PointsSelector;
import io.qdrant.client.grpc.Points.UpsertPoints;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buffers point operations and writes them to Qdrant with {@code wait=true}. The buffer keeps one
 * operation per point id — the last one emitted, which alone decides the point's final state — so a
 * batch's upserts and deletes touch distinct points and may be sent in any order, while batches are
 * sent one after another, each retried until it succeeds or the attempts run out. A flush returns only
 * when everything buffered is applied in Qdrant, so a completed checkpoint means every earlier
 * operation is applied. Runs on the task thread; a full buffer or a retry blocks it (backpressure).
 */
class QdrantSinkWriter<IN> implements SinkWriter<IN> {

    private static final Logger LOG = LoggerFactory.getLogger(QdrantSinkWriter.class);

    static final String POINTS_UPSERTED = "pointsUpserted";
    static final String POINTS_DELETED = "pointsDeleted";
    static final String BATCH_SIZE = "qdrantBatchSize";
    static final String REQUEST_LATENCY_MS = "qdrantRequestLatencyMs";
    static final String RETRIES = "qdrantRetries";
    static final String PERMANENT_FAILURES = "qdrantPermanentFailures";
    static final String CURRENT_BACKOFF_MS = "qdrantCurrentBackoffMs";
    /** Histograms {@code commitToQdrantLagMs.<type>}: Postgres commit to Qdrant acknowledgement. */
    public static final String COMMIT_LAG_GROUP = "commitToQdrantLagMs";

    private final QdrantClient client;
    private final String target;
    private final QdrantSinkOptions options;
    private final OperationEmitter<IN> emitter;
    private final ProcessingTimeService timers;

    private final Map<UUID, PointOperation> buffer = new LinkedHashMap<>();
    private long bufferedRecords;
    private long bufferedBytes;
    /** (type, commit time) of the buffered records, recorded as lag once their batch is acknowledged. */
    private final List<Map.Entry<String, Long>> bufferedCommits = new ArrayList<>();
    private final Map<String, Histogram> commitLag = new HashMap<>();
    private final MetricGroup commitLagGroup;

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

    QdrantSinkWriter(QdrantConnectionOptions connection, QdrantCollectionOptions collection,
            QdrantSinkOptions options, OperationEmitter<IN> emitter, SinkWriterMetricGroup metrics,
            ProcessingTimeService timers) {
        this.options = options;
        this.emitter = emitter;
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
        this.recordsSend = metrics.getNumRecordsSendCounter();
        this.bytesSend = metrics.getNumBytesSendCounter();
        this.sendErrors = metrics.getNumRecordsSendErrorsCounter();
        metrics.setCurrentSendTimeGauge(() -> lastSendTimeMs);
        this.upserted = metrics.counter(POINTS_UPSERTED);
        this.deleted = metrics.counter(POINTS_DELETED);
        this.retries = metrics.counter(RETRIES);
        this.permanentFailures = metrics.counter(PERMANENT_FAILURES);
        this.batchSize = metrics.histogram(BATCH_SIZE, new DescriptiveStatisticsHistogram(1024));
        this.latency = metrics.histogram(REQUEST_LATENCY_MS, new DescriptiveStatisticsHistogram(1024));
        metrics.gauge(CURRENT_BACKOFF_MS, () -> currentBackoffMs);
        this.commitLagGroup = metrics.addGroup(COMMIT_LAG_GROUP);
        scheduleFlush();
    }

    private void scheduleFlush() {
        timers.registerTimer(timers.getCurrentProcessingTime() + options.flushInterval().toMillis(), now -> {
            flushBuffer();
            scheduleFlush();
        });
    }

    @Override
    public void write(IN element, Context context) throws IOException, InterruptedException {
        emitter.emit(element, op -> {
            buffer.remove(op.pointId()); // re-insert at the end: the newest operation for the id
            buffer.put(op.pointId(), op);
            bufferedBytes += op.estimatedBytes();
        });
        bufferedRecords++;
        for (Map.Entry<String, Long> commit : emitter.commitTimes(element).entrySet()) {
            bufferedCommits.add(Map.entry(commit.getKey(), commit.getValue()));
        }
        if (buffer.size() >= options.maxBatchPoints() || bufferedBytes >= options.maxBatchBytes()) {
            flushBuffer();
        }
    }

    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        flushBuffer();
    }

    private void flushBuffer() throws IOException, InterruptedException {
        if (buffer.isEmpty()) {
            recordsSend.inc(bufferedRecords); // records that emitted no operation
            bufferedRecords = 0;
            recordCommitLag();
            return;
        }
        List<PointStruct> upserts = new ArrayList<>();
        List<PointId> deletes = new ArrayList<>();
        for (PointOperation op : buffer.values()) {
            if (op instanceof PointOperation.Upsert u) {
                upserts.add(PointStruct.newBuilder()
                        .setId(id(u.pointId()))
                        .setVectors(vectors(u.vector()))
                        .putAllPayload(PayloadSchema.toQdrant(u.payload()))
                        .build());
            } else {
                deletes.add(id(op.pointId()));
            }
        }
        long start = System.currentTimeMillis();
        if (!upserts.isEmpty()) {
            UpsertPoints request = UpsertPoints.newBuilder()
                    .setCollectionName(target).setWait(true).addAllPoints(upserts).build();
            send("upsert of " + upserts.size() + " points", () -> client.upsertAsync(request), upserts.get(0).getId());
            upserted.inc(upserts.size());
        }
        if (!deletes.isEmpty()) {
            DeletePoints request = DeletePoints.newBuilder()
                    .setCollectionName(target).setWait(true)
                    .setPoints(PointsSelector.newBuilder().setPoints(PointsIdsList.newBuilder().addAllIds(deletes)))
                    .build();
            send("delete of " + deletes.size() + " points", () -> client.deleteAsync(request), deletes.get(0));
            deleted.inc(deletes.size());
        }
        lastSendTimeMs = System.currentTimeMillis() - start;
        batchSize.update(buffer.size());
        recordsSend.inc(bufferedRecords);
        bytesSend.inc(bufferedBytes);
        buffer.clear();
        bufferedRecords = 0;
        bufferedBytes = 0;
        recordCommitLag();
    }

    private void recordCommitLag() {
        if (bufferedCommits.isEmpty()) {
            return;
        }
        long now = System.currentTimeMillis();
        for (Map.Entry<String, Long> commit : bufferedCommits) {
            commitLag.computeIfAbsent(commit.getKey(),
                            type -> commitLagGroup.histogram(type, new DescriptiveStatisticsHistogram(4096)))
                    .update(Math.max(0, now - commit.getValue()));
        }
        bufferedCommits.clear();
    }

    private void send(String what, Supplier<ListenableFuture<?>> call, PointId firstPoint)
            throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            long start = System.nanoTime();
            try {
                call.get().get();
                latency.update((System.nanoTime() - start) / 1_000_000);
                currentBackoffMs = 0;
                return;
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                String where = "Qdrant " + what + " in collection '" + target + "' (first point "
                        + firstPoint.getUuid() + ")";
                if (!QdrantErrors.isTransient(cause)) {
                    permanentFailures.inc();
                    sendErrors.inc(buffer.size());
                    throw new IOException(where + " failed permanently: " + cause.getMessage(), cause);
                }
                if (attempt >= options.maxAttempts()) {
                    sendErrors.inc(buffer.size());
                    throw new IOException(where + " still failing after " + attempt
                            + " attempts (qdrant.retry.max-attempts); failing the task so Flink restarts it from "
                            + "the last checkpoint: " + cause.getMessage(), cause);
                }
                long backoff = backoffMillis(attempt);
                retries.inc();
                currentBackoffMs = backoff;
                LOG.warn("{} failed (attempt {} of {}), retrying in {} ms: {}", where, attempt,
                        options.maxAttempts(), backoff, cause.getMessage());
                Thread.sleep(backoff);
            }
        }
    }

    /** Exponential backoff with full jitter in [cap/2, cap]. */
    long backoffMillis(int attempt) {
        long initial = options.initialBackoff().toMillis();
        long cap = Math.min(options.maxBackoff().toMillis(), initial << Math.min(attempt - 1, 30));
        return cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1);
    }

    @Override
    public void close() throws Exception {
        client.close();
    }
}
