package io.discordrag.indexer.udf.flink;

import io.discordrag.indexer.udf.batch.Embedding;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The embedding metrics are registered under their documented names and follow each embedding. */
class EmbeddingMetricsTest {

    /** A metric group that keeps what is registered in it. */
    static final class CapturingGroup extends UnregisteredMetricsGroup {
        final Map<String, Metric> metrics = new HashMap<>();

        @Override
        public <C extends Counter> C counter(String name, C counter) {
            metrics.put(name, counter);
            return counter;
        }

        @Override
        public Counter counter(String name) {
            return counter(name, new org.apache.flink.metrics.SimpleCounter());
        }

        @Override
        public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
            metrics.put(name, gauge);
            return gauge;
        }

        @Override
        public <H extends Histogram> H histogram(String name, H histogram) {
            metrics.put(name, histogram);
            return histogram;
        }
    }

    @Test
    void recordsEmbeddingsFailuresAndGauges() {
        CapturingGroup group = new CapturingGroup();
        EmbeddingMetrics metrics = new EmbeddingMetrics(group, () -> 7);
        metrics.record(new Embedding(new float[384], 120, false, 16, 30_000_000L));
        metrics.record(new Embedding(new float[384], 256, true, 4, 50_000_000L));
        metrics.recordFailure();
        metrics.recordUnembeddable();
        metrics.recordUnembeddable();

        assertThat(((Counter) group.metrics.get(EmbeddingMetrics.TEXTS_EMBEDDED)).getCount())
                .isEqualTo(2);
        assertThat(((Counter) group.metrics.get(EmbeddingMetrics.TEXTS_TRUNCATED)).getCount())
                .isEqualTo(1);
        assertThat(((Counter) group.metrics.get(EmbeddingMetrics.TEXTS_FAILED)).getCount())
                .isEqualTo(1);
        assertThat(((Counter) group.metrics.get(EmbeddingMetrics.TEXTS_UNEMBEDDABLE)).getCount())
                .isEqualTo(2);
        Histogram batch = (Histogram) group.metrics.get(EmbeddingMetrics.BATCH_SIZE);
        assertThat(batch.getCount()).isEqualTo(2);
        assertThat(batch.getStatistics().getMax()).isEqualTo(16);
        assertThat(
                        ((Histogram) group.metrics.get(EmbeddingMetrics.TOKENS_PER_TEXT))
                                .getStatistics()
                                .getMax())
                .isEqualTo(256);
        assertThat(
                        ((Histogram) group.metrics.get(EmbeddingMetrics.INFERENCE_LATENCY_MS))
                                .getStatistics()
                                .getMax())
                .isEqualTo(50);
        assertThat(((Gauge<?>) group.metrics.get(EmbeddingMetrics.QUEUED_REQUESTS)).getValue())
                .isEqualTo(7);
        assertThat(group.metrics).containsKey(EmbeddingMetrics.MODELS_LOADED);
    }
}
