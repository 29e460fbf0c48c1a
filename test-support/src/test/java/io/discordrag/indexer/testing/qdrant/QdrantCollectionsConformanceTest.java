package io.discordrag.indexer.testing.qdrant;

import io.grpc.Status;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantException;
import io.qdrant.client.grpc.Collections.AliasDescription;
import io.qdrant.client.grpc.Collections.AliasOperations;
import io.qdrant.client.grpc.Collections.CollectionInfo;
import io.qdrant.client.grpc.Collections.CreateAlias;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.DeleteAlias;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.HnswConfigDiff;
import io.qdrant.client.grpc.Collections.IntegerIndexParams;
import io.qdrant.client.grpc.Collections.KeywordIndexParams;
import io.qdrant.client.grpc.Collections.PayloadIndexParams;
import io.qdrant.client.grpc.Collections.PayloadSchemaType;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Collections.VectorsConfig;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Points.CreateFieldIndexCollection;
import io.qdrant.client.grpc.Points.FieldType;
import io.qdrant.client.grpc.QdrantOuterClass.HealthCheckReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.discordrag.indexer.testing.qdrant.ConformanceSupport.assertStatus;
import static io.discordrag.indexer.testing.qdrant.ConformanceSupport.await;
import static io.discordrag.indexer.testing.qdrant.ConformanceSupport.point;
import static io.qdrant.client.ConditionFactory.matchKeyword;
import static io.qdrant.client.ValueFactory.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Pins down how Qdrant's health check, collections, aliases and payload indexes behave, through the
 * public client API only, so that running it against a real Qdrant ({@code QDRANT_URL}) proves the
 * stand-in faithful.
 */
class QdrantCollectionsConformanceTest {

    @RegisterExtension static final QdrantExtension QDRANT = new QdrantExtension();

    private QdrantClient client;
    private TestCollections collections;

    @BeforeEach
    void setUp() {
        client = QDRANT.client();
        collections = new TestCollections(client);
    }

    @AfterEach
    void dropCollections() throws Exception {
        collections.dropAll();
    }

    private String newCollection(int dim, Distance distance) throws Exception {
        return collections.create(dim, distance);
    }

    @Test
    void healthCheckReportsTitleAndAVersionOfMajorOne() throws Exception {
        HealthCheckReply reply = await(client.healthCheckAsync());
        assertThat(reply.getTitle()).isEqualTo("qdrant - vector search engine");
        assertThat(reply.getVersion()).startsWith("1.");
    }

    @Test
    void createdCollectionExistsAndIsListed() throws Exception {
        String name = newCollection(4, Distance.Cosine);
        assertThat(await(client.collectionExistsAsync(name))).isTrue();
        assertThat(await(client.listCollectionsAsync())).contains(name);
    }

    @Test
    void creatingAnExistingCollectionFailsWithAlreadyExists() throws Exception {
        String name = newCollection(4, Distance.Cosine);
        assertStatus(
                client.createCollectionAsync(
                        name,
                        VectorParams.newBuilder().setSize(4).setDistance(Distance.Cosine).build()),
                Status.Code.ALREADY_EXISTS,
                "Collection `" + name + "` already exists!");
    }

    @Test
    void missingCollectionIsNotFoundForInfoAndFalseForExists() throws Exception {
        String name = QdrantTarget.uniqueCollectionName("missing");
        assertStatus(
                client.getCollectionInfoAsync(name),
                Status.Code.NOT_FOUND,
                "Collection `" + name + "` doesn't exist!");
        assertThat(await(client.collectionExistsAsync(name))).isFalse();
    }

    @Test
    void pointOperationsOnAMissingCollectionAreNotFound() {
        String name = QdrantTarget.uniqueCollectionName("missing");
        assertStatus(
                client.upsertAsync(name, List.of(point(1, new float[] {1, 0, 0, 0}, Map.of()))),
                Status.Code.NOT_FOUND,
                "doesn't exist");
        assertStatus(client.countAsync(name), Status.Code.NOT_FOUND, "doesn't exist");
    }

    @Test
    void deleteRemovesCollectionAndDeletingAMissingOneIsReportedByTheClient() throws Exception {
        String name = newCollection(4, Distance.Cosine);
        assertThat(await(client.deleteCollectionAsync(name)).getResult()).isTrue();
        assertThat(await(client.collectionExistsAsync(name))).isFalse();
        Throwable thrown =
                catchThrowable(() -> client.deleteCollectionAsync(name).get(30, TimeUnit.SECONDS));
        assertThat(thrown).isInstanceOf(ExecutionException.class);
        assertThat(thrown.getCause()).isInstanceOf(QdrantException.class);
    }

    @Test
    void collectionInfoReportsVectorParamsAndTenantHnswLayout() throws Exception {
        String name = QdrantTarget.uniqueCollectionName("conf");
        await(
                client.createCollectionAsync(
                        CreateCollection.newBuilder()
                                .setCollectionName(name)
                                .setVectorsConfig(
                                        VectorsConfig.newBuilder()
                                                .setParams(
                                                        VectorParams.newBuilder()
                                                                .setSize(384)
                                                                .setDistance(Distance.Cosine)))
                                .setHnswConfig(HnswConfigDiff.newBuilder().setM(0).setPayloadM(16))
                                .build()));
        collections.track(name);
        CollectionInfo info = await(client.getCollectionInfoAsync(name));
        VectorParams params = info.getConfig().getParams().getVectorsConfig().getParams();
        assertThat(params.getSize()).isEqualTo(384);
        assertThat(params.getDistance()).isEqualTo(Distance.Cosine);
        assertThat(info.getConfig().getHnswConfig().getM()).isZero();
        assertThat(info.getConfig().getHnswConfig().getPayloadM()).isEqualTo(16);
        assertThat(info.getPointsCount()).isZero();
    }

    @Test
    void pointsCountFollowsUpsertsAndDeletes() throws Exception {
        String name = newCollection(4, Distance.Cosine);
        await(
                client.upsertAsync(
                        name,
                        List.of(
                                point(1, new float[] {1, 0, 0, 0}, Map.of()),
                                point(2, new float[] {0, 1, 0, 0}, Map.of()))));
        assertThat(await(client.getCollectionInfoAsync(name)).getPointsCount()).isEqualTo(2);
    }

    @Test
    void invalidCollectionNamesAreRejected() {
        assertStatus(
                client.createCollectionAsync(
                        "bad/name",
                        VectorParams.newBuilder().setSize(4).setDistance(Distance.Cosine).build()),
                Status.Code.INVALID_ARGUMENT,
                null);
    }

    @Test
    void vectorSizeZeroIsRejected() {
        assertStatus(
                client.createCollectionAsync(
                        QdrantTarget.uniqueCollectionName("conf"),
                        VectorParams.newBuilder().setSize(0).setDistance(Distance.Cosine).build()),
                Status.Code.INVALID_ARGUMENT,
                null);
    }

    @Test
    void aliasResolvesForWritesAndReads() throws Exception {
        String name = newCollection(4, Distance.Cosine);
        String alias = QdrantTarget.uniqueCollectionName("alias");
        await(client.createAliasAsync(alias, name));
        try {
            await(client.upsertAsync(alias, List.of(point(7, new float[] {1, 0, 0, 0}, Map.of()))));
            assertThat(await(client.countAsync(name))).isEqualTo(1);
            assertThat(await(client.countAsync(alias))).isEqualTo(1);
            assertThat(await(client.listCollectionAliasesAsync(name))).containsExactly(alias);
        } finally {
            await(client.deleteAliasAsync(alias));
        }
    }

    @Test
    void aliasSwapInOneRequestMovesReadersAtomically() throws Exception {
        String oldCollection = newCollection(4, Distance.Cosine);
        String newCollection = newCollection(4, Distance.Cosine);
        await(
                client.upsertAsync(
                        newCollection,
                        List.of(
                                point(1, new float[] {1, 0, 0, 0}, Map.of()),
                                point(2, new float[] {0, 1, 0, 0}, Map.of()))));
        String alias = QdrantTarget.uniqueCollectionName("alias");
        await(client.createAliasAsync(alias, oldCollection));
        try {
            await(
                    client.updateAliasesAsync(
                            List.of(
                                    AliasOperations.newBuilder()
                                            .setDeleteAlias(
                                                    DeleteAlias.newBuilder().setAliasName(alias))
                                            .build(),
                                    AliasOperations.newBuilder()
                                            .setCreateAlias(
                                                    CreateAlias.newBuilder()
                                                            .setAliasName(alias)
                                                            .setCollectionName(newCollection))
                                            .build())));
            assertThat(await(client.countAsync(alias))).isEqualTo(2);
            List<AliasDescription> aliases = await(client.listAliasesAsync());
            assertThat(aliases)
                    .filteredOn(a -> a.getAliasName().equals(alias))
                    .extracting(AliasDescription::getCollectionName)
                    .containsExactly(newCollection);
        } finally {
            await(client.deleteAliasAsync(alias));
        }
    }

    @Test
    void deletingACollectionDropsItsAliases() throws Exception {
        String name = newCollection(4, Distance.Cosine);
        String alias = QdrantTarget.uniqueCollectionName("alias");
        await(client.createAliasAsync(alias, name));
        await(client.deleteCollectionAsync(name));
        assertThat(await(client.listAliasesAsync()))
                .extracting(AliasDescription::getAliasName)
                .doesNotContain(alias);
    }

    @Test
    void aliasToAMissingCollectionIsNotFound() {
        assertStatus(
                client.createAliasAsync(
                        QdrantTarget.uniqueCollectionName("alias"),
                        QdrantTarget.uniqueCollectionName("missing")),
                Status.Code.NOT_FOUND,
                "doesn't exist");
    }

    @Test
    void payloadIndexesAppearInPayloadSchemaWithTheirTypes() throws Exception {
        String name = newCollection(4, Distance.Cosine);
        await(
                client.createPayloadIndexAsync(
                        name,
                        "guild_id",
                        PayloadSchemaType.Integer,
                        PayloadIndexParams.newBuilder()
                                .setIntegerIndexParams(
                                        IntegerIndexParams.newBuilder()
                                                .setLookup(true)
                                                .setRange(true))
                                .build(),
                        true,
                        null,
                        null));
        await(
                client.createPayloadIndexAsync(
                        name,
                        "model",
                        PayloadSchemaType.Keyword,
                        PayloadIndexParams.newBuilder()
                                .setKeywordIndexParams(
                                        KeywordIndexParams.newBuilder().setIsTenant(true))
                                .build(),
                        true,
                        null,
                        null));
        await(
                client.createPayloadIndexAsync(
                        name, "start_time", PayloadSchemaType.Datetime, null, true, null, null));
        CollectionInfo info = await(client.getCollectionInfoAsync(name));
        assertThat(info.getPayloadSchemaMap().get("guild_id").getDataType())
                .isEqualTo(PayloadSchemaType.Integer);
        assertThat(info.getPayloadSchemaMap().get("model").getDataType())
                .isEqualTo(PayloadSchemaType.Keyword);
        assertThat(info.getPayloadSchemaMap().get("start_time").getDataType())
                .isEqualTo(PayloadSchemaType.Datetime);
    }

    @Test
    void recreatingAPayloadIndexIsAccepted() throws Exception {
        String name = newCollection(4, Distance.Cosine);
        for (int i = 0; i < 2; i++) {
            await(
                    client.createPayloadIndexAsync(
                            name, "channel_id", PayloadSchemaType.Integer, null, true, null, null));
        }
        assertThat(await(client.getCollectionInfoAsync(name)).getPayloadSchemaMap())
                .containsKey("channel_id");
    }

    @Test
    void indexParamsThatDoNotMatchTheFieldTypeAreRejected() throws Exception {
        String name = newCollection(4, Distance.Cosine);
        assertStatus(
                client.createPayloadIndexAsync(
                        CreateFieldIndexCollection.newBuilder()
                                .setCollectionName(name)
                                .setWait(true)
                                .setFieldName("guild_id")
                                .setFieldType(FieldType.FieldTypeInteger)
                                .setFieldIndexParams(
                                        PayloadIndexParams.newBuilder()
                                                .setKeywordIndexParams(
                                                        KeywordIndexParams.newBuilder()
                                                                .setIsTenant(true)))
                                .build(),
                        null),
                Status.Code.INVALID_ARGUMENT,
                null);
    }

    @Test
    void integerIndexWithNeitherLookupNorRangeIsRejected() throws Exception {
        String name = newCollection(4, Distance.Cosine);
        assertStatus(
                client.createPayloadIndexAsync(
                        name,
                        "guild_id",
                        PayloadSchemaType.Integer,
                        PayloadIndexParams.newBuilder()
                                .setIntegerIndexParams(
                                        IntegerIndexParams.newBuilder()
                                                .setLookup(false)
                                                .setRange(false))
                                .build(),
                        true,
                        null,
                        null),
                Status.Code.INVALID_ARGUMENT,
                null);
    }

    @Test
    void payloadIndexesDoNotChangeFilterResults() throws Exception {
        String name = newCollection(4, Distance.Cosine);
        await(
                client.upsertAsync(
                        name,
                        List.of(
                                point(1, new float[] {1, 0, 0, 0}, Map.of("tenant", value("a"))),
                                point(2, new float[] {0, 1, 0, 0}, Map.of("tenant", value("b"))))));
        Filter byTenant = Filter.newBuilder().addMust(matchKeyword("tenant", "a")).build();
        long before = await(client.countAsync(name, byTenant, true));
        await(
                client.createPayloadIndexAsync(
                        name,
                        "tenant",
                        PayloadSchemaType.Keyword,
                        PayloadIndexParams.newBuilder()
                                .setKeywordIndexParams(
                                        KeywordIndexParams.newBuilder().setIsTenant(true))
                                .build(),
                        true,
                        null,
                        null));
        assertThat(await(client.countAsync(name, byTenant, true))).isEqualTo(before).isEqualTo(1);
    }
}
