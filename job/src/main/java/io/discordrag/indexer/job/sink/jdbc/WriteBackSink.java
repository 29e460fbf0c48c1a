package io.discordrag.indexer.job.sink.jdbc;

import io.discordrag.indexer.job.config.PostgresOptions;
import io.discordrag.indexer.job.session.ChunkUpdate;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;

import java.io.IOException;
import java.time.Duration;

import static org.apache.flink.util.Preconditions.checkArgument;

/**
 * The flink-connector-jdbc sink that records in Postgres what reached the index ({@link
 * WriteBackStatement}). At-least-once: batches are flushed on every checkpoint and replays are
 * harmless.
 *
 * <p>Keys: {@code write-back.batch-size} (500), {@code write-back.batch-interval} (1 s), {@code
 * write-back.max-retries} (3).
 */
public final class WriteBackSink {

    public static final int DEFAULT_BATCH_SIZE = 500;
    public static final Duration DEFAULT_BATCH_INTERVAL = Duration.ofSeconds(1);
    public static final int DEFAULT_MAX_RETRIES = 3;

    private WriteBackSink() {}

    /**
     * The batching and retries of the write-back, checked with messages naming the {@code
     * write-back.*} keys.
     */
    public static JdbcExecutionOptions executionOptions(
            int batchSize, Duration batchInterval, int maxRetries) {
        checkArgument(batchSize >= 1, "write-back.batch-size must be positive, got %s", batchSize);
        checkArgument(
                !batchInterval.isNegative(),
                "write-back.batch-interval must not be negative, got %s",
                batchInterval);
        checkArgument(
                maxRetries >= 0, "write-back.max-retries must not be negative, got %s", maxRetries);
        return JdbcExecutionOptions.builder()
                .withBatchSize(batchSize)
                .withBatchIntervalMs(batchInterval.toMillis())
                .withMaxRetries(maxRetries)
                .build();
    }

    /**
     * The sink, with {@link #executionOptions} for its batching and retries: flink-connector-jdbc's
     * at-least-once writer, without its committer. At least once, that committer has nothing to
     * commit, and Flink 1.20.3's committer operator registers its {@code pendingCommittables} gauge
     * again at every checkpoint (FLINK-35321), so each checkpoint logged a metric name collision.
     */
    public static Sink<ChunkUpdate> create(
            PostgresOptions postgres, JdbcExecutionOptions execution) {
        JdbcConnectionOptions connection =
                new JdbcConnectionOptions.JdbcConnectionOptionsBuilder()
                        .withUrl(postgres.jdbcUrl())
                        .withDriverName("org.postgresql.Driver")
                        .withUsername(postgres.user())
                        .withPassword(postgres.driverPassword())
                        .build();
        return new WriterOnly<>(
                JdbcSink.<ChunkUpdate>builder()
                        .withQueryStatement(WriteBackStatement.SQL, new WriteBackStatement())
                        .withExecutionOptions(execution)
                        .buildAtLeastOnce(connection));
    }

    /** A sink that runs only the writer of another sink (which flushes on every checkpoint). */
    private static final class WriterOnly<T> implements Sink<T> {
        private static final long serialVersionUID = 1L;

        private final Sink<T> sink;

        WriterOnly(Sink<T> sink) {
            this.sink = sink;
        }

        @Override
        public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
            return sink.createWriter(context);
        }

        @Override
        @Deprecated // still abstract in Flink 1.20: what the other overload falls back to
        public SinkWriter<T> createWriter(InitContext context) throws IOException {
            return sink.createWriter(context);
        }
    }
}
