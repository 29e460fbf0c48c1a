package io.discordrag.indexer.job.source;

import io.discordrag.indexer.testing.postgres.EmbeddedPostgresExtension;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CDC events of {@code messages} decode into typed {@link MessageChange}s, write-backs and soft
 * deletes included.
 */
class MessageChangeDeserializerITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(1)
                            .build());

    @RegisterExtension
    static final EmbeddedPostgresExtension POSTGRES = new EmbeddedPostgresExtension();

    @Test
    void messageChangeIsAFlinkPojoNotAKryoType() {
        assertThat(TypeInformation.of(MessageChange.class)).isInstanceOf(PojoTypeInfo.class);
    }

    @Test
    void decodesSnapshotInsertEditSoftDeleteWriteBackAndHardDelete() throws Exception {
        POSTGRES.execute(
                "INSERT INTO messages (id, guild_id, channel_id, author_id, content, message_timestamp, reply_to_id)"
                        + " VALUES (1, 10, 100, 7, 'hello', '2024-05-01T10:00:00+02:00', NULL)");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.enableCheckpointing(500);
        CloseableIterator<MessageChange> changes =
                env.fromSource(
                                CdcTestSources.messages(
                                        POSTGRES, "decode_slot", new MessageChangeDeserializer()),
                                WatermarkStrategy.noWatermarks(),
                                "messages-cdc")
                        .uid("messages-cdc")
                        .collectAsync();
        JobClient job = env.executeAsync("decode");
        try {
            MessageChange snapshot = take(changes, 1).get(0);
            assertThat(snapshot.kind()).isEqualTo(MessageChange.Kind.SNAPSHOT);
            assertThat(snapshot.after())
                    .isEqualTo(
                            new MessageRow(
                                    1,
                                    10,
                                    100,
                                    7,
                                    "hello",
                                    Instant.parse("2024-05-01T08:00:00Z"),
                                    null,
                                    false,
                                    null));

            POSTGRES.execute(
                    "INSERT INTO messages (id, guild_id, channel_id, author_id, content, message_timestamp, reply_to_id)"
                            + " VALUES (2, 10, 100, 8, 'reply', '2024-05-01T08:01:00Z', 1)",
                    "UPDATE messages SET content = 'hello, edited' WHERE id = 1",
                    "UPDATE messages SET is_deleted = true WHERE id = 2",
                    "UPDATE messages SET qdrant_point_id = '2ed6657d-e927-568b-95e1-2665a8aea6a2' WHERE id = 1",
                    "DELETE FROM messages WHERE id = 1");
            List<MessageChange> stream = take(changes, 5);
            assertThat(stream)
                    .extracting(MessageChange::kind)
                    .containsExactly(
                            MessageChange.Kind.INSERT,
                            MessageChange.Kind.UPDATE,
                            MessageChange.Kind.UPDATE,
                            MessageChange.Kind.UPDATE,
                            MessageChange.Kind.DELETE);
            assertThat(stream.get(0).after().replyToId()).isEqualTo(1L);
            assertThat(stream.get(0).commitTimeMillis()).isPositive();
            assertThat(stream.get(1).before().content()).isEqualTo("hello");
            assertThat(stream.get(1).after().content()).isEqualTo("hello, edited");
            assertThat(stream.get(2).after().deleted()).isTrue();
            assertThat(stream.get(3).after().qdrantPointId())
                    .isEqualTo("2ed6657d-e927-568b-95e1-2665a8aea6a2");
            assertThat(stream.get(3).before().qdrantPointId()).isNull();
            MessageChange delete = stream.get(4);
            assertThat(delete.after()).isNull();
            assertThat(delete.current().guildId()).isEqualTo(10);
            assertThat(delete.current().channelId()).isEqualTo(100);
            assertThat(delete.current().timestamp())
                    .isEqualTo(Instant.parse("2024-05-01T08:00:00Z"));
        } finally {
            job.cancel().get();
            changes.close();
        }
    }

    private static List<MessageChange> take(CloseableIterator<MessageChange> it, int n) {
        List<MessageChange> out = new ArrayList<>();
        while (out.size() < n && it.hasNext()) {
            out.add(it.next());
        }
        assertThat(out).hasSize(n);
        return out;
    }
}
