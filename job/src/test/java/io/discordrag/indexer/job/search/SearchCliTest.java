package io.discordrag.indexer.job.search;

import static io.qdrant.client.PointIdFactory.id;
import static io.qdrant.client.VectorsFactory.vectors;
import static org.assertj.core.api.Assertions.assertThat;

import io.discordrag.indexer.job.sink.qdrant.CollectionBootstrap;
import io.discordrag.indexer.job.sink.qdrant.PayloadSchema;
import io.discordrag.indexer.job.sink.qdrant.QdrantCollectionOptions;
import io.discordrag.indexer.job.sink.qdrant.SessionPayload;
import io.discordrag.indexer.testing.qdrant.QdrantExtension;
import io.discordrag.indexer.testing.qdrant.QdrantTarget;
import io.discordrag.indexer.udf.model.EmbeddingModel;
import io.discordrag.indexer.udf.model.ModelRegistry;
import io.qdrant.client.grpc.Points.PointStruct;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The search CLI end to end: real model, "a Qdrant", guild filter, usage errors. */
class SearchCliTest {

    @RegisterExtension static final QdrantExtension QDRANT = new QdrantExtension();

    private static PointStruct point(EmbeddingModel model, long guild, long channel, String text) {
        SessionPayload payload = new SessionPayload(guild, channel, new long[] {1}, new long[] {7},
                Instant.parse("2024-05-01T10:00:00Z"), Instant.parse("2024-05-01T10:05:00Z"), text, "m", 0);
        return PointStruct.newBuilder().setId(id(UUID.randomUUID())).setVectors(vectors(model.embed(text)))
                .putAllPayload(PayloadSchema.toQdrant(payload)).build();
    }

    private static String[] args(String collection, String... rest) {
        List<String> all = new java.util.ArrayList<>(List.of("--collection", collection,
                "--qdrant-host", QDRANT.target().host(), "--qdrant-port", String.valueOf(QDRANT.target().port())));
        all.addAll(List.of(rest));
        return all.toArray(new String[0]);
    }

    @Test
    void findsTheGuildsSessionAndNeverAnotherGuilds() throws Exception {
        String collection = QdrantTarget.uniqueCollectionName("cli");
        CollectionBootstrap.ensure(QDRANT.client(), QdrantCollectionOptions.builder().collection(collection).build(), 384);
        try (EmbeddingModel model = EmbeddingModel.load(ModelRegistry.builtIn(ModelRegistry.DEFAULT_MODEL), 0)) {
            QDRANT.client().upsertAsync(collection, List.of(
                    point(model, 1, 11, "[ann @ 2024-05-01 10:00]: the database ran out of disk space during the deploy"),
                    point(model, 1, 12, "[bob @ 2024-05-01 10:00]: who is up for the raid tonight?"),
                    point(model, 2, 21, "[eve @ 2024-05-01 10:00]: our deploy failed, postgres disk is full"))).get();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SearchCli.run(args(collection, "--guild", "1", "--limit", "1", "deploy broke because of disk space"),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as("stderr: %s", err).isZero();
        assertThat(printed).contains("channel 11").contains("ran out of disk space").doesNotContain("eve")
                .contains("2024-05-01T10:00:00Z .. 2024-05-01T10:05:00Z").contains("authors [7]");
        QDRANT.client().deleteCollectionAsync(collection).get();
    }

    @Test
    void aSearchWithoutAGuildIsRefused() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SearchCli.run(new String[] {"some query"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--guild is required");
    }
}
