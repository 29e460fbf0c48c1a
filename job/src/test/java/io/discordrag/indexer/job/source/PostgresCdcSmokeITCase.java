package io.discordrag.indexer.job.source;

import io.discordrag.indexer.testing.postgres.EmbeddedPostgresExtension;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.cdc.connectors.postgres.source.PostgresSourceBuilder.PostgresIncrementalSource;
import org.apache.flink.cdc.debezium.JsonDebeziumDeserializationSchema;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Proves the pinned stack end to end: Flink CDC's incremental Postgres source (pgoutput), connected
 * as the least-privileged role of {@code deploy/sql/02-cdc.sql} through the admin-created
 * publication, reads the rows present at start (snapshot) and then an INSERT, an UPDATE and a
 * DELETE (stream) in a MiniCluster with checkpoints on. REPLICA IDENTITY FULL gives updates and
 * deletes their whole before image.
 */
class PostgresCdcSmokeITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @RegisterExtension
    static final EmbeddedPostgresExtension POSTGRES = new EmbeddedPostgresExtension();

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void readsSnapshotThenStreamsInsertUpdateAndDelete() throws Exception {
        POSTGRES.execute(
                "INSERT INTO messages (id, guild_id, channel_id, author_id, content, message_timestamp) VALUES "
                        + "(1, 10, 100, 7, 'first', '2024-05-01T10:00:00Z'),"
                        + "(2, 10, 100, 8, 'second', '2024-05-01T10:01:00Z'),"
                        + "(3, 20, 200, 7, 'other guild', '2024-05-01T10:02:00Z')");

        PostgresIncrementalSource<String> source =
                CdcTestSources.messages(
                        POSTGRES, "smoke_slot", new JsonDebeziumDeserializationSchema());

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.enableCheckpointing(500);
        CloseableIterator<String> events =
                env.fromSource(source, WatermarkStrategy.noWatermarks(), "postgres-cdc")
                        .uid("postgres-cdc")
                        .collectAsync();
        JobClient job = env.executeAsync("cdc-smoke");
        try {
            List<JsonNode> snapshot = take(events, 3);
            assertThat(snapshot).allSatisfy(e -> assertThat(e.get("op").asText()).isEqualTo("r"));
            assertThat(snapshot)
                    .extracting(e -> e.get("after").get("content").asText())
                    .containsExactlyInAnyOrder("first", "second", "other guild");

            POSTGRES.execute(
                    "INSERT INTO messages (id, guild_id, channel_id, author_id, content, message_timestamp) "
                            + "VALUES (4, 10, 100, 9, 'streamed', '2024-05-01T10:03:00Z')",
                    "UPDATE messages SET content = 'second, edited' WHERE id = 2",
                    "DELETE FROM messages WHERE id = 1");
            List<JsonNode> stream = take(events, 3);

            JsonNode insert = stream.get(0);
            assertThat(insert.get("op").asText()).isEqualTo("c");
            assertThat(insert.get("after").get("id").asLong()).isEqualTo(4);
            assertThat(insert.get("after").get("content").asText()).isEqualTo("streamed");

            JsonNode update = stream.get(1);
            assertThat(update.get("op").asText()).isEqualTo("u");
            assertThat(update.get("before").get("content").asText()).isEqualTo("second");
            assertThat(update.get("after").get("content").asText()).isEqualTo("second, edited");

            JsonNode delete = stream.get(2);
            assertThat(delete.get("op").asText()).isEqualTo("d");
            assertThat(delete.get("after").isNull()).isTrue();
            // Full before image (REPLICA IDENTITY FULL), not just the key.
            assertThat(delete.get("before").get("id").asLong()).isEqualTo(1);
            assertThat(delete.get("before").get("guild_id").asLong()).isEqualTo(10);
            assertThat(delete.get("before").get("channel_id").asLong()).isEqualTo(100);
            assertThat(delete.get("before").get("content").asText()).isEqualTo("first");
        } finally {
            job.cancel().get();
            events.close();
        }
    }

    private static List<JsonNode> take(CloseableIterator<String> events, int n) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        while (out.size() < n && events.hasNext()) {
            out.add(JSON.readTree(events.next()));
        }
        assertThat(out).as("change events received").hasSize(n);
        return out;
    }
}
