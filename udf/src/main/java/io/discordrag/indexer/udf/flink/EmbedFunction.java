package io.discordrag.indexer.udf.flink;

import io.discordrag.indexer.udf.EmbeddingOptions;
import io.discordrag.indexer.udf.batch.Embedding;
import io.discordrag.indexer.udf.model.ModelRegistry;
import io.discordrag.indexer.udf.pool.EmbeddingModelPool;

import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.functions.ScalarFunction;

import java.util.concurrent.ExecutionException;

/**
 * Flink SQL/Table function {@code EMBED(text)} returning {@code ARRAY<FLOAT>}: the L2-normalised
 * embedding of {@code text} with the TaskManager's pooled model (default {@value
 * ModelRegistry#DEFAULT_MODEL}), or NULL for a NULL text. Register with {@code
 * tableEnv.createTemporarySystemFunction("EMBED", new EmbedFunction())}.
 */
public class EmbedFunction extends ScalarFunction {

    private static final long serialVersionUID = 1L;

    private final EmbeddingOptions options;
    private transient EmbeddingModelPool.Lease lease;
    private transient EmbeddingMetrics metrics;

    public EmbedFunction() {
        this(EmbeddingOptions.defaults());
    }

    public EmbedFunction(EmbeddingOptions options) {
        this.options = options;
    }

    @Override
    public void open(FunctionContext context) throws Exception {
        lease = EmbeddingModelPool.acquire(options);
        metrics = new EmbeddingMetrics(context.getMetricGroup(), lease.batcher()::queued);
    }

    public @DataTypeHint("ARRAY<FLOAT>") Float[] eval(String text) throws InterruptedException {
        if (text == null) {
            return null;
        }
        Embedding e;
        try {
            e = lease.batcher().submit(text).get();
        } catch (ExecutionException ex) {
            metrics.recordFailure();
            throw new IllegalStateException(
                    "EMBED failed: " + ex.getCause().getMessage(), ex.getCause());
        }
        metrics.record(e);
        Float[] out = new Float[e.vector().length];
        for (int i = 0; i < out.length; i++) {
            out[i] = e.vector()[i];
        }
        return out;
    }

    @Override
    public boolean isDeterministic() {
        return true;
    }

    @Override
    public void close() throws Exception {
        if (lease != null) {
            lease.close();
            lease = null;
        }
    }
}
