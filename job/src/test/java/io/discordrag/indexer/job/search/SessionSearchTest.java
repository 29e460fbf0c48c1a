package io.discordrag.indexer.job.search;

import io.discordrag.indexer.job.sink.qdrant.CollectionBootstrap;
import io.discordrag.indexer.job.sink.qdrant.PayloadSchema;
import io.discordrag.indexer.job.sink.qdrant.QdrantCollectionOptions;
import io.discordrag.indexer.job.sink.qdrant.SessionPayload;
import io.discordrag.indexer.testing.qdrant.QdrantExtension;
import io.discordrag.indexer.testing.qdrant.QdrantTarget;

import io.qdrant.client.grpc.Points.PointStruct;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

import static io.qdrant.client.PointIdFactory.id;
import static io.qdrant.client.VectorsFactory.vectors;
import static org.assertj.core.api.Assertions.assertThat;

/** Tenant isolation and filters of the search library, through "a Qdrant". */
class SessionSearchTest {

    @RegisterExtension static final QdrantExtension QDRANT = new QdrantExtension();

    private static final int DIM = 8;
    private static final long[] GUILDS = {101, 202, 303, 404, 505};
    private static String collection;
    private static SessionSearch search;

    /** Deterministic pseudo-embedding: the same text always maps to the same random unit vector. */
    static final Function<String, float[]> EMBEDDER =
            text -> randomVector(new Random(text.hashCode()));

    static float[] randomVector(Random r) {
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    @BeforeAll
    static void load() throws Exception {
        collection = QdrantTarget.uniqueCollectionName("search");
        CollectionBootstrap.ensure(
                QDRANT.client(),
                QdrantCollectionOptions.builder().collection(collection).build(),
                DIM);
        Random r = new Random(42);
        List<PointStruct> points = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            long guild = GUILDS[r.nextInt(GUILDS.length)];
            long channel = guild * 10 + r.nextInt(4);
            SessionPayload payload =
                    new SessionPayload(
                            guild,
                            channel,
                            new long[] {i},
                            new long[] {r.nextInt(20)},
                            Instant.ofEpochSecond(1_700_000_000L + i * 60),
                            Instant.ofEpochSecond(1_700_000_000L + i * 60 + 30),
                            "session " + i + " of guild " + guild,
                            "test",
                            0);
            points.add(
                    PointStruct.newBuilder()
                            .setId(id(UUID.randomUUID()))
                            .setVectors(vectors(randomVector(r)))
                            .putAllPayload(PayloadSchema.toQdrant(payload))
                            .build());
        }
        QDRANT.client().upsertAsync(collection, points).get();
        search = new SessionSearch(QDRANT.client(), collection, EMBEDDER);
    }

    @AfterAll
    static void drop() throws Exception {
        try {
            QDRANT.client().deleteCollectionAsync(collection).get();
        } catch (ExecutionException ignored) {
            // gone
        }
    }

    @Test
    void aThousandRandomSearchesNeverReturnAnotherGuild() throws Exception {
        Random r = new Random(7);
        int hits = 0;
        for (int i = 0; i < 1000; i++) {
            long guild = GUILDS[r.nextInt(GUILDS.length)];
            List<SearchHit> found =
                    search.search(
                            SearchRequest.builder(guild, "query " + r.nextLong())
                                    .limit(1 + r.nextInt(20))
                                    .build());
            for (SearchHit hit : found) {
                assertThat(hit.guildId()).isEqualTo(guild);
                assertThat(hit.content()).endsWith("of guild " + guild);
            }
            hits += found.size();
        }
        assertThat(hits).as("searches returned results").isGreaterThan(1000);
    }

    @Test
    void channelsNarrowTheSearch() throws Exception {
        List<SearchHit> found =
                search.search(
                        SearchRequest.builder(202, "anything")
                                .channels(List.of(2020L, 2021L))
                                .limit(50)
                                .build());
        assertThat(found)
                .isNotEmpty()
                .allSatisfy(
                        h -> {
                            assertThat(h.guildId()).isEqualTo(202);
                            assertThat(h.channelId()).isIn(2020L, 2021L);
                        });
    }

    @Test
    void thresholdAndLimitApply() throws Exception {
        List<SearchHit> limited = search.search(SearchRequest.builder(101, "x").limit(3).build());
        assertThat(limited).hasSize(3);
        assertThat(limited.get(0).score()).isGreaterThanOrEqualTo(limited.get(2).score());
        List<SearchHit> strict =
                search.search(SearchRequest.builder(101, "x").limit(100).threshold(0.5f).build());
        assertThat(strict).allSatisfy(h -> assertThat(h.score()).isGreaterThan(0.5f));
    }

    @Test
    void anUnknownGuildFindsNothing() throws Exception {
        assertThat(search.search(SearchRequest.builder(999, "x").limit(10).build())).isEmpty();
    }
}
