package io.discordrag.indexer.udf;

import io.discordrag.indexer.udf.model.ModelRegistry;
import io.discordrag.indexer.udf.model.ModelSpec;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * How texts are embedded: the model and how requests are batched and run. Immutable and
 * serializable; two equal options share one pooled model and batcher per TaskManager.
 *
 * <p>Keys (for command-line and configuration mapping): {@code embedding.model}, {@code
 * embedding.batch.max-size}, {@code embedding.batch.max-tokens}, {@code embedding.batch.max-wait},
 * {@code embedding.threads.intra-op}, {@code embedding.threads.inference}.
 */
public final class EmbeddingOptions implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final int DEFAULT_MAX_BATCH_SIZE = 32;

    /**
     * Padded tokens (texts x longest text) per batch. Measured on 2 cores: throughput peaks around
     * 1,000 to 2,000 padded tokens a batch and falls beyond (attention cost grows with length), so
     * long texts run in smaller batches than short ones.
     */
    public static final int DEFAULT_MAX_BATCH_TOKENS = 2048;

    public static final Duration DEFAULT_MAX_WAIT = Duration.ofMillis(5);
    public static final int DEFAULT_INTRA_OP_THREADS = 0;
    public static final int DEFAULT_INFERENCE_THREADS = 1;

    private final ModelSpec model;
    private final int maxBatchSize;
    private final int maxBatchTokens;
    private final Duration maxWait;
    private final int intraOpThreads;
    private final int inferenceThreads;

    private EmbeddingOptions(Builder b) {
        this.model = b.model;
        this.maxBatchSize = b.maxBatchSize;
        this.maxBatchTokens = b.maxBatchTokens;
        this.maxWait = b.maxWait;
        this.intraOpThreads = b.intraOpThreads;
        this.inferenceThreads = b.inferenceThreads;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static EmbeddingOptions defaults() {
        return builder().build();
    }

    /** The model to embed with (default {@value ModelRegistry#DEFAULT_MODEL}). */
    public ModelSpec model() {
        return model;
    }

    /** Most texts in one inference call (default {@value #DEFAULT_MAX_BATCH_SIZE}). */
    public int maxBatchSize() {
        return maxBatchSize;
    }

    /**
     * Most padded tokens (texts x longest) in one inference call (default {@value
     * #DEFAULT_MAX_BATCH_TOKENS}).
     */
    public int maxBatchTokens() {
        return maxBatchTokens;
    }

    /** Longest a request waits for others to fill a batch (default 5 ms). */
    public Duration maxWait() {
        return maxWait;
    }

    /** ONNX Runtime intra-op threads; 0 = ONNX Runtime's default, one per core. */
    public int intraOpThreads() {
        return intraOpThreads;
    }

    /** Threads running inference batches concurrently per model (default 1). */
    public int inferenceThreads() {
        return inferenceThreads;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof EmbeddingOptions)) {
            return false;
        }
        EmbeddingOptions that = (EmbeddingOptions) o;
        return maxBatchSize == that.maxBatchSize
                && maxBatchTokens == that.maxBatchTokens
                && intraOpThreads == that.intraOpThreads
                && inferenceThreads == that.inferenceThreads
                && model.equals(that.model)
                && maxWait.equals(that.maxWait);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                model, maxBatchSize, maxBatchTokens, maxWait, intraOpThreads, inferenceThreads);
    }

    @Override
    public String toString() {
        return "EmbeddingOptions{model="
                + model
                + ", maxBatchSize="
                + maxBatchSize
                + ", maxBatchTokens="
                + maxBatchTokens
                + ", maxWait="
                + maxWait
                + ", intraOpThreads="
                + intraOpThreads
                + ", inferenceThreads="
                + inferenceThreads
                + "}";
    }

    /** Builder with validated defaults. */
    public static final class Builder {
        private ModelSpec model = ModelRegistry.builtIn(ModelRegistry.DEFAULT_MODEL);
        private int maxBatchSize = DEFAULT_MAX_BATCH_SIZE;
        private int maxBatchTokens = DEFAULT_MAX_BATCH_TOKENS;
        private Duration maxWait = DEFAULT_MAX_WAIT;
        private int intraOpThreads = DEFAULT_INTRA_OP_THREADS;
        private int inferenceThreads = DEFAULT_INFERENCE_THREADS;

        private Builder() {}

        public Builder model(ModelSpec model) {
            this.model = Objects.requireNonNull(model, "embedding.model cannot be null");
            return this;
        }

        /** A built-in model by id, e.g. {@code all-MiniLM-L6-v2-q}. */
        public Builder model(String builtInId) {
            try {
                return model(ModelRegistry.builtIn(builtInId));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("embedding.model: " + e.getMessage(), e);
            }
        }

        public Builder maxBatchSize(int maxBatchSize) {
            if (maxBatchSize < 1 || maxBatchSize > 1024) {
                throw new IllegalArgumentException(
                        "embedding.batch.max-size must be between 1 and 1024, got " + maxBatchSize);
            }
            this.maxBatchSize = maxBatchSize;
            return this;
        }

        /** A batch is cut before its padded size (texts x longest text) would exceed this. */
        public Builder maxBatchTokens(int maxBatchTokens) {
            if (maxBatchTokens < 1) {
                throw new IllegalArgumentException(
                        "embedding.batch.max-tokens must be positive, got " + maxBatchTokens);
            }
            this.maxBatchTokens = maxBatchTokens;
            return this;
        }

        public Builder maxWait(Duration maxWait) {
            Objects.requireNonNull(maxWait, "embedding.batch.max-wait cannot be null");
            if (maxWait.isNegative() || maxWait.compareTo(Duration.ofSeconds(10)) > 0) {
                throw new IllegalArgumentException(
                        "embedding.batch.max-wait must be between 0 and 10 s, got " + maxWait);
            }
            this.maxWait = maxWait;
            return this;
        }

        public Builder intraOpThreads(int intraOpThreads) {
            if (intraOpThreads < 0) {
                throw new IllegalArgumentException(
                        "embedding.threads.intra-op must be 0 (default) or positive, got "
                                + intraOpThreads);
            }
            this.intraOpThreads = intraOpThreads;
            return this;
        }

        public Builder inferenceThreads(int inferenceThreads) {
            if (inferenceThreads < 1 || inferenceThreads > 64) {
                throw new IllegalArgumentException(
                        "embedding.threads.inference must be between 1 and 64, got "
                                + inferenceThreads);
            }
            this.inferenceThreads = inferenceThreads;
            return this;
        }

        public EmbeddingOptions build() {
            return new EmbeddingOptions(this);
        }
    }
}
