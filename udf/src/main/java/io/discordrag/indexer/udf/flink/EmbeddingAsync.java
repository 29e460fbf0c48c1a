package io.discordrag.indexer.udf.flink;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.async.AsyncRetryStrategy;
import org.apache.flink.streaming.util.retryable.AsyncRetryStrategies;
import org.apache.flink.streaming.util.retryable.RetryPredicates;

/**
 * Wires an {@link EmbeddingAsyncFunction} into a stream with a capacity (in-flight records, which is
 * also the backpressure bound), a timeout and a bounded retry on errors. Output order follows input
 * order ({@code orderedWait}), which keeps later operations on the same key behind earlier ones.
 */
public final class EmbeddingAsync {

    public static final int DEFAULT_CAPACITY = 256;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);
    public static final int DEFAULT_MAX_ATTEMPTS = 3;

    private EmbeddingAsync() {}

    public static <IN, OUT> SingleOutputStreamOperator<OUT> ordered(DataStream<IN> input,
            EmbeddingAsyncFunction<IN, OUT> function) {
        return ordered(input, function, DEFAULT_CAPACITY, DEFAULT_TIMEOUT, DEFAULT_MAX_ATTEMPTS);
    }

    public static <IN, OUT> SingleOutputStreamOperator<OUT> ordered(DataStream<IN> input,
            EmbeddingAsyncFunction<IN, OUT> function, int capacity, Duration timeout, int maxAttempts) {
        if (capacity < 1) {
            throw new IllegalArgumentException("embedding.async.capacity must be positive, got " + capacity);
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("embedding.async.max-attempts must be positive, got " + maxAttempts);
        }
        AsyncRetryStrategy<OUT> retry = new AsyncRetryStrategies.FixedDelayRetryStrategyBuilder<OUT>(
                        maxAttempts, 100L)
                .ifException(RetryPredicates.HAS_EXCEPTION_PREDICATE)
                .build();
        return AsyncDataStream.orderedWaitWithRetry(
                input, function, timeout.toMillis(), TimeUnit.MILLISECONDS, capacity, retry);
    }
}
