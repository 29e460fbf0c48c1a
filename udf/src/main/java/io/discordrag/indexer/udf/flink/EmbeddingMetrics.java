package io.discordrag.indexer.udf.flink;

import io.discordrag.indexer.udf.batch.Embedding;
import io.discordrag.indexer.udf.pool.EmbeddingModelPool;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

import java.util.function.IntSupplier;

/**
 * The embedding metrics of one operator (or SQL function) instance, registered in its metric group:
 * texts embedded, texts truncated, failed attempts (transient: retried), texts that cannot be
 * embedded (skipped, never retried); histograms of batch size (as seen by each text), tokens per
 * text and inference latency; gauges of queued requests and loaded models.
 */
final class EmbeddingMetrics {

    static final String TEXTS_EMBEDDED = "textsEmbedded";
    static final String TEXTS_TRUNCATED = "textsTruncated";
    static final String TEXTS_FAILED = "textsFailed";
    static final String TEXTS_UNEMBEDDABLE = "textsUnembeddable";
    static final String BATCH_SIZE = "embeddingBatchSize";
    static final String TOKENS_PER_TEXT = "tokensPerText";
    static final String INFERENCE_LATENCY_MS = "inferenceLatencyMs";
    static final String QUEUED_REQUESTS = "queuedEmbeddingRequests";
    static final String MODELS_LOADED = "embeddingModelsLoaded";

    private static final int HISTOGRAM_WINDOW = 1024;

    private final Counter embedded;
    private final Counter truncated;
    private final Counter failed;
    private final Counter unembeddable;
    private final Histogram batchSize;
    private final Histogram tokens;
    private final Histogram latency;

    EmbeddingMetrics(MetricGroup group, IntSupplier queued) {
        embedded = group.counter(TEXTS_EMBEDDED);
        truncated = group.counter(TEXTS_TRUNCATED);
        failed = group.counter(TEXTS_FAILED);
        unembeddable = group.counter(TEXTS_UNEMBEDDABLE);
        batchSize =
                group.histogram(BATCH_SIZE, new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        tokens =
                group.histogram(
                        TOKENS_PER_TEXT, new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        latency =
                group.histogram(
                        INFERENCE_LATENCY_MS, new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        group.gauge(QUEUED_REQUESTS, (Gauge<Integer>) queued::getAsInt);
        group.gauge(MODELS_LOADED, (Gauge<Integer>) EmbeddingModelPool::loadedModels);
    }

    void record(Embedding e) {
        embedded.inc();
        if (e.truncated()) {
            truncated.inc();
        }
        batchSize.update(e.batchSize());
        tokens.update(e.tokens());
        latency.update(e.inferenceNanos() / 1_000_000);
    }

    void recordFailure() {
        failed.inc();
    }

    void recordUnembeddable() {
        unembeddable.inc();
    }
}
