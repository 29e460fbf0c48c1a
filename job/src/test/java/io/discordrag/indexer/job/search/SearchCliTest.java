package io.discordrag.indexer.job.search;

import io.discordrag.indexer.job.BadOptionValues;
import io.discordrag.indexer.job.sink.qdrant.CollectionBootstrap;
import io.discordrag.indexer.job.sink.qdrant.PayloadSchema;
import io.discordrag.indexer.job.sink.qdrant.QdrantCollectionOptions;
import io.discordrag.indexer.job.sink.qdrant.SessionPayload;
import io.discordrag.indexer.testing.qdrant.QdrantExtension;
import io.discordrag.indexer.testing.qdrant.QdrantTarget;
import io.discordrag.indexer.udf.model.EmbeddingModel;
import io.discordrag.indexer.udf.model.ModelRegistry;

import io.qdrant.client.grpc.Points.PointStruct;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static io.qdrant.client.PointIdFactory.id;
import static io.qdrant.client.VectorsFactory.vectors;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The search CLI end to end: real model, "a Qdrant", guild filter, the job's dialect and options,
 * usage errors.
 */
class SearchCliTest {

    @RegisterExtension static final QdrantExtension QDRANT = new QdrantExtension();

    private static PointStruct point(EmbeddingModel model, long guild, long channel, String text) {
        SessionPayload payload =
                new SessionPayload(
                        guild,
                        channel,
                        new long[] {1},
                        new long[] {7},
                        Instant.parse("2024-05-01T10:00:00Z"),
                        Instant.parse("2024-05-01T10:05:00Z"),
                        text,
                        "m",
                        0);
        return PointStruct.newBuilder()
                .setId(id(UUID.randomUUID()))
                .setVectors(vectors(model.embed(text)))
                .putAllPayload(PayloadSchema.toQdrant(payload))
                .build();
    }

    private static String[] args(String collection, String... rest) {
        List<String> all =
                new java.util.ArrayList<>(
                        List.of(
                                "--qdrant.collection",
                                collection,
                                "--qdrant.host",
                                QDRANT.target().host(),
                                "--qdrant.port",
                                String.valueOf(QDRANT.target().port())));
        all.addAll(List.of(rest));
        return all.toArray(new String[0]);
    }

    @Test
    void findsTheGuildsSessionAndNeverAnotherGuilds() throws Exception {
        String collection = QdrantTarget.uniqueCollectionName("cli");
        CollectionBootstrap.ensure(
                QDRANT.client(),
                QdrantCollectionOptions.builder().collection(collection).build(),
                384);
        try (EmbeddingModel model =
                EmbeddingModel.load(ModelRegistry.builtIn(ModelRegistry.DEFAULT_MODEL), 0)) {
            QDRANT.client()
                    .upsertAsync(
                            collection,
                            List.of(
                                    point(
                                            model,
                                            1,
                                            11,
                                            "[ann @ 2024-05-01 10:00]: the database ran out of disk space during the deploy"),
                                    point(
                                            model,
                                            1,
                                            12,
                                            "[bob @ 2024-05-01 10:00]: who is up for the raid tonight?"),
                                    point(
                                            model,
                                            2,
                                            21,
                                            "[eve @ 2024-05-01 10:00]: our deploy failed, postgres disk is full")))
                    .get();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code =
                SearchCli.run(
                        args(
                                collection,
                                "--guild",
                                "1",
                                "--limit",
                                "1",
                                "deploy broke because of disk space"),
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as("stderr: %s", err).isZero();
        assertThat(printed)
                .contains("channel 11")
                .contains("ran out of disk space")
                .doesNotContain("eve")
                .contains("2024-05-01T10:00:00Z .. 2024-05-01T10:05:00Z")
                .contains("authors [7]");
        QDRANT.client().deleteCollectionAsync(collection).get();
    }

    @Test
    void theJobsConfigFileWorksAndGuildIdsAreUnsigned(@TempDir Path dir) throws Exception {
        String collection = QdrantTarget.uniqueCollectionName("cli");
        CollectionBootstrap.ensure(
                QDRANT.client(),
                QdrantCollectionOptions.builder().collection(collection).build(),
                384);
        Path file = dir.resolve("job.properties");
        Files.writeString(
                file,
                "qdrant.host: "
                        + QDRANT.target().host()
                        + "\nqdrant.port: "
                        + QDRANT.target().port()
                        + "\nqdrant.collection: "
                        + collection
                        + "\npostgres.host: db.internal\nsession.gap: 30 min\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code =
                SearchCli.run(
                        new String[] {
                            "--config",
                            file.toString(),
                            "--guild=18446744073709551615",
                            "--channel",
                            "1",
                            "--channel",
                            "18446744073709551614",
                            "anything"
                        },
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err));
        assertThat(code).as("stderr: %s", err).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("No sessions found in guild 18446744073709551615.");
        QDRANT.client().deleteCollectionAsync(collection).get();
    }

    private static String refused(String... args) {
        return BadOptionValues.refusedWithOneLine(SearchCli::run, "search: ", args);
    }

    @ParameterizedTest(name = "--{0} {1}")
    @MethodSource("io.discordrag.indexer.job.BadOptionValues#everyOption")
    void aBadValueOfAJobOptionExitsTwoWithOneLine(String key, String bad) {
        assertThat(refused("--guild", "1", "--" + key, bad, "query")).contains(key);
    }

    @ParameterizedTest(name = "--{0} {1}")
    @CsvSource({
        "guild, -1",
        "guild, abc",
        "channel, x",
        "limit, 0",
        "limit, many",
        "threshold, 2",
        "threshold, high"
    })
    void aBadValueOfASearchOptionExitsTwoWithOneLine(String key, String bad) {
        assertThat(refused("--guild", "1", "--" + key, bad, "query")).contains(key);
    }

    @Test
    void everySearchOptionHasABadValueCase() {
        assertThat(SearchOptions.own().stream().map(ConfigOption::key))
                .containsExactlyInAnyOrder("channel", "guild", "limit", "threshold");
    }

    @Test
    void oldSpellingsNameTheKeyToUse() {
        assertThat(refused("--guild", "1", "--qdrant-host", "h", "q"))
                .contains("use --qdrant.host");
        assertThat(refused("--guild", "1", "--collection", "c", "q"))
                .contains("use --qdrant.collection");
        assertThat(refused("--guild", "1", "--model", "m", "q")).contains("use --embedding.model");
        assertThat(refused("--guild", "1", "--qdrant-api-key-file", "f", "q"))
                .contains("use --qdrant.api-key-file");
        assertThat(refused("--guild", "1", "--qdrant.api-key", "k", "q"))
                .contains("qdrant.api-key-env")
                .doesNotContain(" k ");
    }

    @Test
    void aSearchWithoutAGuildIsRefused() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code =
                SearchCli.run(
                        new String[] {"some query"},
                        new PrintStream(new ByteArrayOutputStream()),
                        new PrintStream(err));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--guild is required");
        assertThat(err.toString().lines()).hasSize(1);
    }
}
