package io.discordrag.indexer.udf.flink;

import io.discordrag.indexer.udf.EmbeddingOptions;
import io.discordrag.indexer.udf.pool.EmbeddingModelPool;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collections;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

/**
 * Embeds the text of any record for {@code AsyncDataStream}: a {@link TextExtractor} picks the
 * text, the TaskManager's pooled model embeds it in micro-batches shared with the other subtasks,
 * and a {@link ResultCombiner} builds the output. {@code asyncInvoke} never blocks. A record whose
 * extracted text is {@code null} needs no embedding and is combined with a {@code null} vector at
 * once (it keeps its place in an ordered stream and is not counted as embedded). Failures are
 * classified by {@link EmbeddingErrors}: a record that cannot be embedded (no text can be extracted
 * from it, the model cannot process its text) is logged with the record, counted ({@code
 * textsUnembeddable}) and emits nothing, and the job keeps running; any other failure ({@code
 * textsFailed}) completes the record exceptionally, which fails the job unless the retry strategy
 * of {@link EmbeddingAsync} recovers it. Metrics: see {@link EmbeddingMetrics}.
 */
public class EmbeddingAsyncFunction<IN, OUT> extends RichAsyncFunction<IN, OUT>
        implements ResultTypeQueryable<OUT> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddingAsyncFunction.class);
    static final String RELEASE_HOOK = "discord-rag-indexer-embedding-model-pool";

    private final EmbeddingOptions options;
    private final TextExtractor<IN> extractor;
    private final ResultCombiner<IN, OUT> combiner;
    private final TypeInformation<OUT> producedType;

    private transient EmbeddingModelPool.Lease lease;
    private transient EmbeddingMetrics metrics;

    public EmbeddingAsyncFunction(
            EmbeddingOptions options,
            TextExtractor<IN> extractor,
            ResultCombiner<IN, OUT> combiner,
            TypeInformation<OUT> producedType) {
        this.options = Objects.requireNonNull(options, "options cannot be null");
        this.extractor = Objects.requireNonNull(extractor, "extractor cannot be null");
        this.combiner = Objects.requireNonNull(combiner, "combiner cannot be null");
        this.producedType = Objects.requireNonNull(producedType, "producedType cannot be null");
    }

    @Override
    public TypeInformation<OUT> getProducedType() {
        return producedType;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        // Safety net: if close() is never reached, the job's leases end with its classloader.
        ClassLoader job = getRuntimeContext().getUserCodeClassLoader();
        getRuntimeContext()
                .registerUserCodeClassLoaderReleaseHookIfAbsent(
                        RELEASE_HOOK, EmbeddingModelPool.releaseHook(job));
        lease = EmbeddingModelPool.acquire(options, job);
        metrics =
                new EmbeddingMetrics(getRuntimeContext().getMetricGroup(), lease.batcher()::queued);
    }

    @Override
    public void asyncInvoke(IN input, ResultFuture<OUT> resultFuture) {
        String text;
        try {
            text = extractor.apply(input);
        } catch (RuntimeException e) {
            fail(
                    input,
                    resultFuture,
                    new IllegalArgumentException(
                            "Cannot extract the text to embed from "
                                    + input
                                    + ": "
                                    + e.getMessage(),
                            e));
            return;
        }
        if (text == null) {
            try {
                resultFuture.complete(Collections.singleton(combiner.combine(input, null)));
            } catch (RuntimeException e) {
                resultFuture.completeExceptionally(e);
            }
            return;
        }
        lease.batcher()
                .submit(text)
                .whenComplete(
                        (embedding, error) -> {
                            if (error != null) {
                                fail(
                                        input,
                                        resultFuture,
                                        error instanceof CompletionException
                                                        && error.getCause() != null
                                                ? error.getCause()
                                                : error);
                                return;
                            }
                            metrics.record(embedding);
                            try {
                                resultFuture.complete(
                                        Collections.singleton(
                                                combiner.combine(input, embedding.vector())));
                            } catch (RuntimeException e) {
                                resultFuture.completeExceptionally(e);
                            }
                        });
    }

    /** Skips an unembeddable record (counted, logged; the job goes on) or fails it for a retry. */
    private void fail(IN input, ResultFuture<OUT> resultFuture, Throwable error) {
        if (EmbeddingErrors.classify(error) == EmbeddingErrors.Kind.UNEMBEDDABLE) {
            metrics.recordUnembeddable();
            LOG.error(
                    "Cannot embed {} with model {}; skipped, not retried: {}",
                    input,
                    options.model().id(),
                    error.getMessage());
            resultFuture.complete(Collections.emptyList());
            return;
        }
        metrics.recordFailure();
        resultFuture.completeExceptionally(error);
    }

    @Override
    public void timeout(IN input, ResultFuture<OUT> resultFuture) {
        metrics.recordFailure();
        resultFuture.completeExceptionally(
                new TimeoutException(
                        "Embedding with model "
                                + options.model().id()
                                + " timed out; queued requests: "
                                + lease.batcher().queued()));
    }

    @Override
    public void close() throws Exception {
        if (lease != null) {
            lease.close();
            lease = null;
        }
    }
}
