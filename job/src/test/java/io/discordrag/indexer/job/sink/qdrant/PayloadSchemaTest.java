package io.discordrag.indexer.job.sink.qdrant;

import io.qdrant.client.grpc.JsonWithInt.Value;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The conversation a stored point names, including points written before conversations. */
class PayloadSchemaTest {

    private static final Instant T = Instant.parse("2024-05-01T10:00:00Z");

    private static SessionPayload payload(int chunk, long conversation) {
        return new SessionPayload(
                1, 10, new long[] {7, 8}, new long[] {1}, T, T, "text", "m", chunk, conversation);
    }

    @Test
    void aPointNamesItsConversation() {
        Map<String, Value> p = PayloadSchema.toQdrant(payload(1, 5));
        assertThat(p).containsKey(PayloadSchema.CONVERSATION_ID);
        assertThat(PayloadSchema.conversationId(p)).isEqualTo(5);
    }

    @Test
    void aPointWrittenBeforeConversationsIsItsFirstMessagesIfItIsAFirstChunk() {
        Map<String, Value> first = PayloadSchema.toQdrant(payload(0, 0));
        Map<String, Value> later = PayloadSchema.toQdrant(payload(1, 0));
        assertThat(first).doesNotContainKey(PayloadSchema.CONVERSATION_ID);
        assertThat(PayloadSchema.conversationId(first)).isEqualTo(7);
        assertThat(PayloadSchema.conversationId(later)).as("unknown").isZero();
    }
}
