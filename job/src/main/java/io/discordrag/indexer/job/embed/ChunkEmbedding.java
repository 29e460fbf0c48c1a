package io.discordrag.indexer.job.embed;

import io.discordrag.indexer.job.session.ChunkUpdate;
import io.discordrag.indexer.udf.EmbeddingOptions;
import io.discordrag.indexer.udf.flink.EmbeddingAsync;
import io.discordrag.indexer.udf.flink.EmbeddingAsyncFunction;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

import java.time.Duration;

/**
 * Embeds chunk upserts with the udf's pooled model; deletes pass through without embedding. Ordered
 * ({@link EmbeddingAsync#ordered}), so an upsert waiting for its vector is never overtaken by a
 * later delete of the same point, nor the reverse (DESIGN hazard 6). An upsert whose text the model
 * cannot embed is logged with its point id and messages, counted ({@code textsUnembeddable}) and
 * not written: the point keeps what it held before, and {@code verify} reports the messages it
 * misses.
 */
public final class ChunkEmbedding {

    private ChunkEmbedding() {}

    public static EmbeddingAsyncFunction<ChunkUpdate, ChunkUpdate> function(
            EmbeddingOptions options) {
        return new EmbeddingAsyncFunction<>(
                options,
                ChunkUpdate::textToEmbed,
                ChunkUpdate::withVector,
                TypeInformation.of(ChunkUpdate.class));
    }

    public static SingleOutputStreamOperator<ChunkUpdate> embed(
            DataStream<ChunkUpdate> updates,
            EmbeddingOptions options,
            int capacity,
            Duration timeout,
            int maxAttempts) {
        return EmbeddingAsync.ordered(updates, function(options), capacity, timeout, maxAttempts);
    }
}
