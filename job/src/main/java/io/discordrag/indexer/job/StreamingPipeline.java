package io.discordrag.indexer.job;

import io.discordrag.indexer.job.commit.ReleaseAfterCheckpoint;
import io.discordrag.indexer.job.config.PostgresOptions;
import io.discordrag.indexer.job.embed.ChunkEmbedding;
import io.discordrag.indexer.job.session.ChangeInterpreter;
import io.discordrag.indexer.job.session.ChannelEvent;
import io.discordrag.indexer.job.session.ChunkUpdate;
import io.discordrag.indexer.job.session.Sessionizer;
import io.discordrag.indexer.job.sink.jdbc.WriteBackCounter;
import io.discordrag.indexer.job.sink.jdbc.WriteBackSink;
import io.discordrag.indexer.job.sink.qdrant.ChunkPointEmitter;
import io.discordrag.indexer.job.sink.qdrant.QdrantSink;
import io.discordrag.indexer.job.source.MessageChange;
import io.discordrag.indexer.job.source.MessageChangeDeserializer;
import io.discordrag.indexer.job.source.MessageTableSource;
import io.discordrag.indexer.udf.EmbeddingOptions;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.cdc.connectors.base.options.StartupOptions;
import org.apache.flink.cdc.connectors.postgres.source.PostgresSourceBuilder.PostgresIncrementalSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.util.Properties;

/**
 * The streaming job's dataflow: CDC source on {@code messages} → change interpretation (validation,
 * names, write-back filter) → sessionizer keyed by (guild, channel) → ordered async embedding →
 * held until the covering checkpoint completes ({@link ReleaseAfterCheckpoint}) → Qdrant sink and
 * Postgres write-back. Every stateful operator has a stable uid (constants below) and a name. The
 * sessionizer, the embedding step and both sinks run with the same parallelism and forward
 * partitioning, so the updates of one point stay in order all the way to both stores.
 */
public final class StreamingPipeline {

    public static final String UID_SOURCE = "postgres-cdc-messages";
    public static final String UID_TABLE_SOURCE = "postgres-table-messages";
    public static final String UID_TABLE_READ = "postgres-table-read";
    public static final String UID_INTERPRET = "interpret-changes";
    public static final String UID_SESSIONIZER = "sessionizer";
    public static final String UID_EMBED = "embed-chunks";
    public static final String UID_RELEASE = "release-after-checkpoint";
    public static final String UID_QDRANT_SINK = "qdrant-sink";

    /**
     * The Qdrant sink's operator name, fixed so its metric ids do not change with the collection.
     */
    public static final String NAME_QDRANT_SINK = "Qdrant sink";

    public static final String UID_WRITE_BACK_COUNTER = "write-back-counter";
    public static final String UID_WRITE_BACK = "postgres-write-back";

    /**
     * Operator names: what the Flink UI shows and metric scopes carry ({@code <operator_name>}).
     */
    public static final String NAME_INTERPRET = "Interpret message changes";

    public static final String NAME_SESSIONIZER = "Sessionize per channel";
    public static final String NAME_EMBED = "Embed chunks";
    public static final String NAME_RELEASE = "Release after checkpoint";
    public static final String NAME_WRITE_BACK_COUNTER = "Count write-back";
    public static final String NAME_WRITE_BACK = "Postgres write-back";

    private StreamingPipeline() {}

    /**
     * Adds the pipeline to {@code env}. {@code vectorSize} is the model's dimension (the Qdrant
     * writers create or verify the collection with it).
     */
    public static void build(StreamExecutionEnvironment env, IndexerConfig config, int vectorSize) {
        PostgresOptions postgres = config.postgres();
        EmbeddingOptions embedding = config.embedding();

        boolean bounded = config.mode().bounded();
        DataStream<MessageChange> changes;
        try {
            changes =
                    bounded
                            ? MessageTableSource.create(
                                    env,
                                    postgres,
                                    config.get(IndexerOptions.BACKFILL_SPLIT_ROWS),
                                    UID_TABLE_SOURCE,
                                    UID_TABLE_READ)
                            : env.fromSource(
                                            cdcSource(postgres),
                                            WatermarkStrategy.noWatermarks(),
                                            "Postgres CDC: public.messages")
                                    .uid(UID_SOURCE);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(
                    "Cannot read the size of table messages: " + e.getMessage(), e);
        }
        DataStream<ChannelEvent> events =
                changes.flatMap(
                                new ChangeInterpreter(
                                        postgres, config.get(IndexerOptions.LOOKUP_CACHE_TTL)))
                        .uid(UID_INTERPRET)
                        .name(NAME_INTERPRET);
        DataStream<ChunkUpdate> updates =
                events.keyBy(ChannelEvent::channelKey)
                        .process(
                                new Sessionizer(
                                        config.sessions(),
                                        embedding,
                                        postgres,
                                        bounded,
                                        config.mode() == JobMode.REINDEX))
                        .uid(UID_SESSIONIZER)
                        .name(NAME_SESSIONIZER);
        DataStream<ChunkUpdate> embedded =
                ChunkEmbedding.embed(
                                updates,
                                embedding,
                                config.get(IndexerOptions.EMBEDDING_ASYNC_CAPACITY),
                                config.get(IndexerOptions.EMBEDDING_ASYNC_TIMEOUT),
                                config.get(IndexerOptions.EMBEDDING_ASYNC_MAX_ATTEMPTS))
                        .uid(UID_EMBED)
                        .name(NAME_EMBED);
        // BATCH has no checkpoints (and no failover mid-key): a bounded run writes as it goes
        DataStream<ChunkUpdate> committed =
                bounded
                        ? embedded
                        : embedded.transform(
                                        NAME_RELEASE,
                                        embedded.getType(),
                                        new ReleaseAfterCheckpoint<>(
                                                embedded.getType(),
                                                u ->
                                                        ChannelEvent.channelKey(
                                                                u.guildId(), u.channelId())))
                                .uid(UID_RELEASE)
                                .name(NAME_RELEASE);
        committed
                .sinkTo(
                        QdrantSink.<ChunkUpdate>builder()
                                .setConnection(config.qdrantConnection())
                                .setCollection(config.qdrantCollection())
                                .setOptions(config.qdrantSink(vectorSize))
                                .setEmitter(new ChunkPointEmitter())
                                .build())
                .uid(UID_QDRANT_SINK)
                // a fixed name keeps the sink's metric ids across reindexes; the collection is in
                // the description
                .name(NAME_QDRANT_SINK)
                .setDescription(
                        "Writes to Qdrant collection "
                                + config.get(IndexerOptions.QDRANT_COLLECTION));
        committed
                .map(new WriteBackCounter())
                .uid(UID_WRITE_BACK_COUNTER)
                .name(NAME_WRITE_BACK_COUNTER)
                .sinkTo(WriteBackSink.create(postgres, config.writeBack()))
                .uid(UID_WRITE_BACK)
                .name(NAME_WRITE_BACK);
    }

    /**
     * Flink CDC's incremental Postgres source (pgoutput, snapshot then stream) as the
     * least-privileged indexer role, through the admin-created publication (autocreate disabled).
     */
    public static PostgresIncrementalSource<MessageChange> cdcSource(PostgresOptions postgres) {
        return source(postgres, StartupOptions.initial(), postgres.slot());
    }

    private static PostgresIncrementalSource<MessageChange> source(
            PostgresOptions postgres, StartupOptions startup, String slot) {
        Properties debezium = new Properties();
        debezium.setProperty("publication.name", postgres.publication());
        debezium.setProperty("publication.autocreate.mode", "disabled");
        return PostgresIncrementalSource.<MessageChange>builder()
                .hostname(postgres.host())
                .port(postgres.port())
                .database(postgres.database())
                .schemaList("public")
                .tableList("public.messages")
                .username(postgres.user())
                .password(postgres.driverPassword())
                .slotName(slot)
                .decodingPluginName("pgoutput")
                .debeziumProperties(debezium)
                .deserializer(new MessageChangeDeserializer())
                .startupOptions(startup)
                .build();
    }
}
