package io.discordrag.indexer.job.source;

import io.discordrag.indexer.testing.postgres.EmbeddedPostgresExtension;

import org.apache.flink.cdc.connectors.base.options.StartupOptions;
import org.apache.flink.cdc.connectors.postgres.source.PostgresSourceBuilder.PostgresIncrementalSource;
import org.apache.flink.cdc.debezium.DebeziumDeserializationSchema;

import java.util.Properties;

/**
 * The CDC source on {@code messages} the way production connects: least-privileged role, admin-made
 * publication.
 */
final class CdcTestSources {

    private CdcTestSources() {}

    static <T> PostgresIncrementalSource<T> messages(
            EmbeddedPostgresExtension postgres,
            String slot,
            DebeziumDeserializationSchema<T> deserializer) {
        Properties debezium = new Properties();
        debezium.setProperty("publication.name", EmbeddedPostgresExtension.PUBLICATION);
        debezium.setProperty("publication.autocreate.mode", "disabled");
        return PostgresIncrementalSource.<T>builder()
                .hostname(postgres.host())
                .port(postgres.port())
                .database(postgres.database())
                .schemaList("public")
                .tableList("public.messages")
                .username(EmbeddedPostgresExtension.INDEXER_ROLE)
                .password(postgres.indexerPassword())
                .slotName(slot)
                .decodingPluginName("pgoutput")
                .debeziumProperties(debezium)
                .deserializer(deserializer)
                .startupOptions(StartupOptions.initial())
                .splitSize(2)
                .build();
    }
}
