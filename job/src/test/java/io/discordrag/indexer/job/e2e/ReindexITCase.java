package io.discordrag.indexer.job.e2e;

import io.discordrag.indexer.job.IndexerJob;
import io.discordrag.indexer.job.config.NotReadyException;
import io.discordrag.indexer.job.e2e.IndexerFixture.Point;
import io.discordrag.indexer.job.search.SearchHit;
import io.discordrag.indexer.job.search.SearchRequest;
import io.discordrag.indexer.job.search.SessionSearch;
import io.discordrag.indexer.job.sink.qdrant.AliasSwitch;
import io.discordrag.indexer.job.verify.VerifyCommand;
import io.discordrag.indexer.testing.data.SyntheticChat;
import io.discordrag.indexer.testing.postgres.EmbeddedPostgresExtension;
import io.discordrag.indexer.testing.qdrant.QdrantExtension;
import io.discordrag.indexer.testing.qdrant.QdrantTarget;
import io.discordrag.indexer.udf.model.EmbeddingModel;
import io.discordrag.indexer.udf.model.ModelRegistry;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code --mode reindex} (issue 7): a backfill into a new collection with another model, then one
 * atomic move of the alias readers search — which never leaves them without results and never shows
 * them the half-built collection.
 */
class ReindexITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = IndexerFixture.miniCluster();

    @RegisterExtension
    static final EmbeddedPostgresExtension POSTGRES = new EmbeddedPostgresExtension();

    @RegisterExtension static final QdrantExtension QDRANT = new QdrantExtension();

    private static final SyntheticChat.Dataset DATA =
            SyntheticChat.generate(SyntheticChat.Spec.of(600));
    private static final String OLD_MODEL = ModelRegistry.ALL_MINILM_L6_V2_Q;
    private static final String NEW_MODEL = ModelRegistry.ALL_MINILM_L6_V2;

    private IndexerFixture fx;
    private String alias;
    private final List<String> collections = new ArrayList<>();

    @BeforeEach
    void setUp(TestInfo test) throws Exception {
        fx = IndexerFixture.forTest(POSTGRES, QDRANT, test);
        alias = QdrantTarget.uniqueCollectionName("live");
        try (Connection c = POSTGRES.adminConnection()) {
            SyntheticChat.insertDirectory(c, DATA);
            SyntheticChat.insertMessages(c, DATA.messages());
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        fx.close();
        if (AliasSwitch.current(QDRANT.client(), alias).isPresent()) {
            QDRANT.client().deleteAliasAsync(alias).get();
        }
        for (String c : collections) {
            if (QDRANT.client().collectionExistsAsync(c).get()) {
                QDRANT.client().deleteCollectionAsync(c).get();
            }
        }
    }

    private Map<String, String> options(String mode, String model) {
        String collection = QdrantTarget.uniqueCollectionName(mode);
        collections.add(collection);
        Map<String, String> o = fx.options();
        o.put("mode", mode);
        o.put("qdrant.collection", collection);
        o.put("qdrant.alias", alias);
        o.put("embedding.model", model);
        return o;
    }

    private JobStatus run(Map<String, String> options) throws Exception {
        return IndexerJob.runBounded(
                StreamExecutionEnvironment.getExecutionEnvironment(),
                fx.config(options),
                Duration.ofSeconds(1));
    }

    /** One search through the alias: when it started, what it found, or how it failed. */
    private record Search(
            long startNanos, long endNanos, int hits, Set<String> models, String error) {}

    /** Searches one guild through the alias, back to back, until stopped. */
    private final class Reader implements AutoCloseable {
        final List<Search> searches = new CopyOnWriteArrayList<>();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread;

        Reader(long guild) {
            EmbeddingModel model = EmbeddingModel.load(ModelRegistry.builtIn(OLD_MODEL), 0);
            SessionSearch search = new SessionSearch(QDRANT.client(), alias, model::embed);
            List<String> queries =
                    List.of(
                            "deploy failed again",
                            "anyone up for a game tonight",
                            "how do I fix this build",
                            "thanks for the help");
            thread =
                    new Thread(
                            () -> {
                                try (model) {
                                    for (int i = 0; !stop.get(); i++) {
                                        long start = System.nanoTime();
                                        try {
                                            List<SearchHit> hits =
                                                    search.search(
                                                            SearchRequest.builder(
                                                                            guild,
                                                                            queries.get(
                                                                                    i
                                                                                            % queries
                                                                                                    .size()))
                                                                    .limit(5)
                                                                    .build());
                                            Set<String> models = new HashSet<>();
                                            hits.forEach(h -> models.add(h.model()));
                                            searches.add(
                                                    new Search(
                                                            start,
                                                            System.nanoTime(),
                                                            hits.size(),
                                                            models,
                                                            null));
                                        } catch (RuntimeException e) {
                                            searches.add(
                                                    new Search(
                                                            start,
                                                            System.nanoTime(),
                                                            0,
                                                            Set.of(),
                                                            e.toString()));
                                        }
                                    }
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            },
                            "alias-reader");
            thread.start();
        }

        long completed() {
            return searches.size();
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join();
        }
    }

    @Test
    void readersOfTheAliasAlwaysFindResultsAndSeeTheNewModelOnceTheReindexHasMovedIt()
            throws Exception {
        Map<String, String> backfill = options("backfill", OLD_MODEL);
        assertThat(run(backfill)).isEqualTo(JobStatus.FINISHED);
        String oldCollection = backfill.get("qdrant.collection");
        assertThat(AliasSwitch.current(QDRANT.client(), alias)).contains(oldCollection);
        Map<String, Point> oldPoints = fx.points(oldCollection);
        assertThat(oldPoints).isNotEmpty();

        long guild = DATA.channels().get(0).guildId();
        Map<String, String> reindex = options("reindex", NEW_MODEL);
        String newCollection = reindex.get("qdrant.collection");
        long reindexStart;
        long swapped;
        try (Reader reader = new Reader(guild)) {
            IndexerFixture.await(
                    "searches before the reindex",
                    Duration.ofSeconds(30),
                    () -> reader.completed() >= 5,
                    () -> reader.completed() + " searches");
            reindexStart = System.nanoTime();
            assertThat(run(reindex)).isEqualTo(JobStatus.FINISHED);
            swapped = System.nanoTime();
            long before = reader.completed();
            IndexerFixture.await(
                    "searches after the swap",
                    Duration.ofSeconds(30),
                    () -> reader.completed() >= before + 5,
                    () -> reader.completed() + " searches");
            reader.close();

            List<Search> all = reader.searches;
            assertThat(all)
                    .allSatisfy(
                            s -> {
                                assertThat(s.error()).as("search error").isNull();
                                assertThat(s.hits())
                                        .as("hits of a search through the alias")
                                        .isPositive();
                                assertThat(s.models()).as("models of one search's hits").hasSize(1);
                            });
            // Old model until one moment, the new model from then on: never a mix, never the other
            // way.
            List<String> sequence = new ArrayList<>();
            for (Search s : all) {
                String m = s.models().iterator().next();
                if (sequence.isEmpty() || !sequence.get(sequence.size() - 1).equals(m)) {
                    sequence.add(m);
                }
            }
            assertThat(sequence).containsExactly(OLD_MODEL, NEW_MODEL);
            assertThat(
                            all.stream()
                                    .filter(
                                            s ->
                                                    s.startNanos() > reindexStart
                                                            && s.endNanos() < swapped)
                                    .count())
                    .as("searches while the reindex ran")
                    .isGreaterThanOrEqualTo(10);
            assertThat(all)
                    .filteredOn(s -> s.startNanos() > swapped)
                    .allSatisfy(s -> assertThat(s.models()).containsExactly(NEW_MODEL));
        }

        assertThat(AliasSwitch.current(QDRANT.client(), alias)).contains(newCollection);
        assertThat(QDRANT.client().collectionExistsAsync(oldCollection).get())
                .as("old collection kept")
                .isTrue();
        assertThat(fx.points(oldCollection))
                .as("old collection untouched")
                .hasSameSizeAs(oldPoints);
        Map<String, Point> newPoints = fx.points(newCollection);
        assertThat(newPoints.keySet()).isEqualTo(oldPoints.keySet());
        for (Point p : newPoints.values()) {
            assertThat(p.content()).isEqualTo(oldPoints.get(p.id()).content());
        }
        assertThat(modelsInSessionTable()).containsExactly(NEW_MODEL);
        IndexerFixture.VerifyRun verify = fx.verify(reindex, null);
        verify.assertExit(VerifyCommand.CLEAN);
    }

    @Test
    void aReindexWithTheSameModelRebuildsEveryPointAndDropsTheOldCollectionWhenAsked()
            throws Exception {
        Map<String, String> backfill = options("backfill", OLD_MODEL);
        assertThat(run(backfill)).isEqualTo(JobStatus.FINISHED);
        String oldCollection = backfill.get("qdrant.collection");
        Map<String, Point> oldPoints = fx.points(oldCollection);

        // Equal fingerprints in message_sessions must not make the new collection skip anything.
        Map<String, String> reindex = options("reindex", OLD_MODEL);
        reindex.put("reindex.drop-old", "true");
        reindex.put("qdrant.hnsw.payload-m", "32");
        assertThat(run(reindex)).isEqualTo(JobStatus.FINISHED);

        String newCollection = reindex.get("qdrant.collection");
        assertThat(AliasSwitch.current(QDRANT.client(), alias)).contains(newCollection);
        assertThat(QDRANT.client().collectionExistsAsync(oldCollection).get())
                .as("old collection dropped")
                .isFalse();
        assertThat(fx.points(newCollection).keySet()).isEqualTo(oldPoints.keySet());
        assertThat(
                        QDRANT.client()
                                .getCollectionInfoAsync(newCollection)
                                .get()
                                .getConfig()
                                .getHnswConfig()
                                .getPayloadM())
                .isEqualTo(32);
    }

    @Test
    void aReindexWithoutAnAliasOrIntoTheLiveCollectionIsRefusedBeforeAnythingRuns()
            throws Exception {
        Map<String, String> noAlias = options("reindex", NEW_MODEL);
        noAlias.remove("qdrant.alias");
        assertThatThrownBy(() -> run(noAlias))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs qdrant.alias");
        assertThat(QDRANT.client().collectionExistsAsync(noAlias.get("qdrant.collection")).get())
                .isFalse();

        Map<String, String> backfill = options("backfill", OLD_MODEL);
        assertThat(run(backfill)).isEqualTo(JobStatus.FINISHED);
        Map<String, String> intoLive = new java.util.HashMap<>(backfill);
        intoLive.put("mode", "reindex");
        assertThatThrownBy(() -> run(intoLive))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        "already serves collection " + backfill.get("qdrant.collection"));
    }

    @Test
    void aBackfillIsRefusedWhileTheStreamingJobRunsOnTheSameDatabase() throws Exception {
        Map<String, String> streaming = options("streaming", OLD_MODEL);
        streaming.remove("qdrant.alias");
        fx.start(streaming);
        Map<String, String> backfill = new java.util.HashMap<>(streaming);
        backfill.put("mode", "backfill");
        assertThatThrownBy(() -> run(backfill))
                .isInstanceOf(NotReadyException.class)
                .hasMessageContaining("slot '" + streaming.get("postgres.slot") + "' is in use");
        fx.stopJob();
        fx.awaitSlotInactive();
        assertThat(run(backfill)).isEqualTo(JobStatus.FINISHED);
    }

    private Set<String> modelsInSessionTable() throws Exception {
        Set<String> models = new HashSet<>();
        try (Connection c = POSTGRES.adminConnection();
                ResultSet rs =
                        c.createStatement()
                                .executeQuery("SELECT DISTINCT model FROM message_sessions")) {
            while (rs.next()) {
                models.add(rs.getString(1));
            }
        }
        return models;
    }
}
