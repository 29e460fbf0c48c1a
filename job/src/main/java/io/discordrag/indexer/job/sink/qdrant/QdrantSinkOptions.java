package io.discordrag.indexer.job.sink.qdrant;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * How the Qdrant sink batches and retries. A batch is sent when it holds {@code maxBatchPoints}
 * points or {@code maxBatchBytes}, when {@code flushInterval} has passed, and on every checkpoint
 * (one batch in flight at a time). Transient failures are retried with exponential backoff and
 * equal jitter, at most {@code maxAttempts} times per request; then the task fails and Flink
 * restarts from the last checkpoint. Immutable; the builder rejects invalid values with a message
 * naming the option's key.
 *
 * <p>Keys (see {@code IndexerOptions}): {@code qdrant.batch.max-points} (256), {@code
 * qdrant.batch.max-bytes} (8 MiB), {@code qdrant.batch.flush-interval} (100 ms), {@code
 * qdrant.retry.max-attempts} (10), {@code qdrant.retry.initial-backoff} (100 ms), {@code
 * qdrant.retry.max-backoff} (10 s). {@link #bootstrapVectorSize()} has no key: the job sets it to
 * the embedding model's dimension (0 = do not bootstrap the collection).
 */
public final class QdrantSinkOptions implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final int DEFAULT_MAX_BATCH_POINTS = 256;
    public static final long DEFAULT_MAX_BATCH_BYTES = 8L << 20;
    public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofMillis(100);
    public static final int DEFAULT_MAX_ATTEMPTS = 10;
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(100);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(10);

    private final int maxBatchPoints;
    private final long maxBatchBytes;
    private final Duration flushInterval;
    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final int bootstrapVectorSize;

    private QdrantSinkOptions(Builder b) {
        this.maxBatchPoints = b.maxBatchPoints;
        this.maxBatchBytes = b.maxBatchBytes;
        this.flushInterval = b.flushInterval;
        this.maxAttempts = b.maxAttempts;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.bootstrapVectorSize = b.bootstrapVectorSize;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int maxBatchPoints() {
        return maxBatchPoints;
    }

    public long maxBatchBytes() {
        return maxBatchBytes;
    }

    public Duration flushInterval() {
        return flushInterval;
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    public Duration initialBackoff() {
        return initialBackoff;
    }

    public Duration maxBackoff() {
        return maxBackoff;
    }

    /**
     * Vector size to create or verify the collection with at writer start; 0 skips the bootstrap.
     */
    public int bootstrapVectorSize() {
        return bootstrapVectorSize;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof QdrantSinkOptions)) {
            return false;
        }
        QdrantSinkOptions t = (QdrantSinkOptions) o;
        return maxBatchPoints == t.maxBatchPoints
                && maxBatchBytes == t.maxBatchBytes
                && maxAttempts == t.maxAttempts
                && bootstrapVectorSize == t.bootstrapVectorSize
                && flushInterval.equals(t.flushInterval)
                && initialBackoff.equals(t.initialBackoff)
                && maxBackoff.equals(t.maxBackoff);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                maxBatchPoints,
                maxBatchBytes,
                flushInterval,
                maxAttempts,
                initialBackoff,
                maxBackoff,
                bootstrapVectorSize);
    }

    @Override
    public String toString() {
        return "QdrantSinkOptions{maxBatchPoints="
                + maxBatchPoints
                + ", maxBatchBytes="
                + maxBatchBytes
                + ", flushInterval="
                + flushInterval
                + ", maxAttempts="
                + maxAttempts
                + ", initialBackoff="
                + initialBackoff
                + ", maxBackoff="
                + maxBackoff
                + ", bootstrapVectorSize="
                + bootstrapVectorSize
                + "}";
    }

    /** Builder with validated defaults. */
    public static final class Builder {
        private int maxBatchPoints = DEFAULT_MAX_BATCH_POINTS;
        private long maxBatchBytes = DEFAULT_MAX_BATCH_BYTES;
        private Duration flushInterval = DEFAULT_FLUSH_INTERVAL;
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
        private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
        private int bootstrapVectorSize;

        private Builder() {}

        public Builder maxBatchPoints(int n) {
            if (n < 1) {
                throw new IllegalArgumentException(
                        "qdrant.batch.max-points must be positive, got " + n);
            }
            this.maxBatchPoints = n;
            return this;
        }

        public Builder maxBatchBytes(long n) {
            if (n < 1) {
                throw new IllegalArgumentException(
                        "qdrant.batch.max-bytes must be positive, got " + n);
            }
            this.maxBatchBytes = n;
            return this;
        }

        public Builder flushInterval(Duration d) {
            this.flushInterval = positive("qdrant.batch.flush-interval", d);
            return this;
        }

        public Builder maxAttempts(int n) {
            if (n < 1) {
                throw new IllegalArgumentException(
                        "qdrant.retry.max-attempts must be positive, got " + n);
            }
            this.maxAttempts = n;
            return this;
        }

        public Builder initialBackoff(Duration d) {
            this.initialBackoff = positive("qdrant.retry.initial-backoff", d);
            return this;
        }

        public Builder maxBackoff(Duration d) {
            this.maxBackoff = positive("qdrant.retry.max-backoff", d);
            return this;
        }

        public Builder bootstrapVectorSize(int size) {
            if (size < 0 || size > 65536) {
                throw new IllegalArgumentException(
                        "the bootstrap vector size must be 0 (off) or 1..65536, got " + size);
            }
            this.bootstrapVectorSize = size;
            return this;
        }

        private static Duration positive(String key, Duration d) {
            Objects.requireNonNull(d, key + " cannot be null");
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(key + " must be positive, got " + d);
            }
            return d;
        }

        public QdrantSinkOptions build() {
            if (maxBackoff.compareTo(initialBackoff) < 0) {
                throw new IllegalArgumentException(
                        "qdrant.retry.max-backoff ("
                                + maxBackoff
                                + ") must not be below qdrant.retry.initial-backoff ("
                                + initialBackoff
                                + ")");
            }
            return new QdrantSinkOptions(this);
        }
    }
}
