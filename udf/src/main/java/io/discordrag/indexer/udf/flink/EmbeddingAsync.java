package io.discordrag.indexer.udf.flink;

import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.async.AsyncRetryStrategy;
import org.apache.flink.streaming.util.retryable.AsyncRetryStrategies;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.apache.flink.util.Preconditions.checkArgument;

/**
 * Wires an {@link EmbeddingAsyncFunction} into a stream with a capacity (in-flight records, which
 * is also the backpressure bound), a timeout and a bounded retry of transient errors ({@code
 * embedding.async.max-attempts} attempts in all; {@link EmbeddingErrors} decides what is
 * transient). Output order follows input order ({@code orderedWait}), which keeps later operations
 * on the same key behind earlier ones.
 */
public final class EmbeddingAsync {

    public static final int DEFAULT_CAPACITY = 256;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);
    public static final int DEFAULT_MAX_ATTEMPTS = 3;

    private EmbeddingAsync() {}

    public static <IN, OUT> SingleOutputStreamOperator<OUT> ordered(
            DataStream<IN> input, EmbeddingAsyncFunction<IN, OUT> function) {
        return ordered(input, function, DEFAULT_CAPACITY, DEFAULT_TIMEOUT, DEFAULT_MAX_ATTEMPTS);
    }

    public static <IN, OUT> SingleOutputStreamOperator<OUT> ordered(
            DataStream<IN> input,
            EmbeddingAsyncFunction<IN, OUT> function,
            int capacity,
            Duration timeout,
            int maxAttempts) {
        checkArgument(
                capacity >= 1, "embedding.async.capacity must be at least 1, got %s", capacity);
        checkArgument(
                maxAttempts >= 1,
                "embedding.async.max-attempts must be at least 1, got %s",
                maxAttempts);
        if (maxAttempts == 1) {
            return AsyncDataStream.orderedWait(
                    input, function, timeout.toMillis(), TimeUnit.MILLISECONDS, capacity);
        }
        // The strategy counts retries: the attempts after the first one.
        AsyncRetryStrategy<OUT> retry =
                new AsyncRetryStrategies.FixedDelayRetryStrategyBuilder<OUT>(maxAttempts - 1, 100L)
                        .ifException(new EmbeddingErrors.RetryPredicate())
                        .build();
        return AsyncDataStream.orderedWaitWithRetry(
                input, function, timeout.toMillis(), TimeUnit.MILLISECONDS, capacity, retry);
    }
}
