package io.discordrag.indexer.testing.qdrant;

import io.grpc.Status;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.DeletePoints;
import io.qdrant.client.grpc.Points.GetPoints;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.PointsIdsList;
import io.qdrant.client.grpc.Points.PointsSelector;
import io.qdrant.client.grpc.Points.QueryPoints;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.ScrollPoints;
import io.qdrant.client.grpc.Points.ScrollResponse;
import io.qdrant.client.grpc.Points.SearchPoints;
import io.qdrant.client.grpc.Points.UpdateResult;
import io.qdrant.client.grpc.Points.UpdateStatus;
import io.qdrant.client.grpc.Points.UpsertPoints;
import io.qdrant.client.grpc.Points.Vector;
import io.qdrant.client.grpc.Points.Vectors;
import io.qdrant.client.grpc.Points.WithVectorsSelector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.discordrag.indexer.testing.qdrant.ConformanceSupport.assertStatus;
import static io.discordrag.indexer.testing.qdrant.ConformanceSupport.await;
import static io.discordrag.indexer.testing.qdrant.ConformanceSupport.ids;
import static io.discordrag.indexer.testing.qdrant.ConformanceSupport.point;
import static io.discordrag.indexer.testing.qdrant.ConformanceSupport.vectorOf;
import static io.qdrant.client.ConditionFactory.match;
import static io.qdrant.client.ConditionFactory.matchKeyword;
import static io.qdrant.client.PointIdFactory.id;
import static io.qdrant.client.QueryFactory.nearest;
import static io.qdrant.client.ValueFactory.list;
import static io.qdrant.client.ValueFactory.nullValue;
import static io.qdrant.client.ValueFactory.value;
import static io.qdrant.client.WithPayloadSelectorFactory.enable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Pins down Qdrant's point operations — upsert, delete, get, set payload, scroll, count, query and
 * search — ids, payload values and scoring, through the public client API only.
 */
class QdrantPointsConformanceTest {

    @RegisterExtension static final QdrantExtension QDRANT = new QdrantExtension();

    private static final float[] X = {1, 0, 0, 0};
    private static final float[] Y = {0, 1, 0, 0};
    private static final float[] Z = {0, 0, 1, 0};

    private QdrantClient client;
    private TestCollections collections;
    private String collection;

    @BeforeEach
    void setUp() throws Exception {
        client = QDRANT.client();
        collections = new TestCollections(client);
        collection = newCollection(4, Distance.Cosine);
    }

    @AfterEach
    void dropCollections() throws Exception {
        collections.dropAll();
    }

    private String newCollection(int dim, Distance distance) throws Exception {
        return collections.create(dim, distance);
    }

    private RetrievedPoint get(PointId id) throws Exception {
        List<RetrievedPoint> found =
                await(client.retrieveAsync(collection, List.of(id), true, true, null));
        assertThat(found).hasSize(1);
        return found.get(0);
    }

    private UpdateResult upsertNoWait(PointStruct... points) throws Exception {
        return await(
                client.upsertAsync(
                        UpsertPoints.newBuilder()
                                .setCollectionName(collection)
                                .setWait(false)
                                .addAllPoints(List.of(points))
                                .build()));
    }

    /** A wait=true write: once it returns, every earlier operation is applied (WAL order). */
    private void barrier() throws Exception {
        await(
                client.upsertAsync(
                        collection, List.of(point(999_999, Z, Map.of("barrier", value(true))))));
    }

    // ------------------------------------------------------------------ upsert

    @Test
    void upsertWithWaitCompletes() throws Exception {
        UpdateResult result = await(client.upsertAsync(collection, List.of(point(1, X, Map.of()))));
        assertThat(result.getStatus()).isEqualTo(UpdateStatus.Completed);
        assertThat(await(client.countAsync(collection))).isEqualTo(1);
    }

    @Test
    void upsertWithoutWaitIsAcknowledgedAndAppliedInOrder() throws Exception {
        UpdateResult result = upsertNoWait(point(1, X, Map.of("v", value(1))));
        assertThat(result.getStatus()).isEqualTo(UpdateStatus.Acknowledged);
        upsertNoWait(point(1, X, Map.of("v", value(2))));
        barrier();
        assertThat(get(id(1)).getPayloadMap().get("v").getIntegerValue()).isEqualTo(2);
    }

    @Test
    void operationIdsOnlyGoUp() throws Exception {
        long first =
                await(client.upsertAsync(collection, List.of(point(1, X, Map.of()))))
                        .getOperationId();
        long second =
                await(client.upsertAsync(collection, List.of(point(2, Y, Map.of()))))
                        .getOperationId();
        assertThat(second).isGreaterThan(first);
    }

    @Test
    void upsertOfAnExistingIdReplacesVectorAndWholePayload() throws Exception {
        await(
                client.upsertAsync(
                        collection, List.of(point(1, X, Map.of("a", value(1), "b", value("x"))))));
        await(client.upsertAsync(collection, List.of(point(1, Y, Map.of("c", value(true))))));
        RetrievedPoint p = get(id(1));
        assertThat(p.getPayloadMap()).containsOnlyKeys("c");
        assertThat(vectorOf(p.getVectors())).containsExactly(0f, 1f, 0f, 0f);
        assertThat(await(client.countAsync(collection))).isEqualTo(1);
    }

    @Test
    void upsertWithEmptyPayloadClearsIt() throws Exception {
        await(client.upsertAsync(collection, List.of(point(1, X, Map.of("a", value(1))))));
        await(client.upsertAsync(collection, List.of(point(1, X, Map.of()))));
        assertThat(get(id(1)).getPayloadMap()).isEmpty();
    }

    @Test
    void duplicateIdInOneBatchLastOneWins() throws Exception {
        await(
                client.upsertAsync(
                        collection,
                        List.of(
                                point(5, X, Map.of("n", value("first"))),
                                point(5, Y, Map.of("n", value("last"))))));
        assertThat(get(id(5)).getPayloadMap().get("n").getStringValue()).isEqualTo("last");
        assertThat(await(client.countAsync(collection))).isEqualTo(1);
    }

    @Test
    void wrongDimensionIsRejectedWithQdrantsMessage() {
        assertStatus(
                client.upsertAsync(collection, List.of(point(1, new float[] {1, 2, 3}, Map.of()))),
                Status.Code.INVALID_ARGUMENT,
                "Vector dimension error: expected dim: 4, got 3");
    }

    @Test
    void wrongDimensionWithoutWaitIsAcknowledgedButNotApplied() throws Exception {
        UpdateResult result = upsertNoWait(point(1, new float[] {1, 2, 3}, Map.of()));
        assertThat(result.getStatus()).isEqualTo(UpdateStatus.Acknowledged);
        barrier();
        assertThat(await(client.retrieveAsync(collection, List.of(id(1)), false, false, null)))
                .isEmpty();
    }

    @Test
    void deprecatedVectorDataFieldIsAccepted() throws Exception {
        @SuppressWarnings("deprecation")
        Vector legacy = Vector.newBuilder().addAllData(List.of(0f, 0f, 2f, 0f)).build();
        await(
                client.upsertAsync(
                        collection,
                        List.of(
                                PointStruct.newBuilder()
                                        .setId(id(3))
                                        .setVectors(Vectors.newBuilder().setVector(legacy))
                                        .build())));
        assertThat(vectorOf(get(id(3)).getVectors())).containsExactly(0f, 0f, 1f, 0f);
    }

    @Test
    void cosineVectorsAreStoredNormalised() throws Exception {
        await(
                client.upsertAsync(
                        collection, List.of(point(1, new float[] {3, 4, 0, 0}, Map.of()))));
        List<Float> stored = vectorOf(get(id(1)).getVectors());
        assertThat(stored.get(0)).isCloseTo(0.6f, within(1e-6f));
        assertThat(stored.get(1)).isCloseTo(0.8f, within(1e-6f));
    }

    // ------------------------------------------------------------------ ids

    @Test
    void everyUuidSpellingAddressesTheSamePointAndComesBackCanonical() throws Exception {
        UUID uuid = UUID.fromString("a1b2c3d4-e5f6-4711-8899-aabbccddeeff");
        String hyphenated = uuid.toString();
        List<String> spellings =
                List.of(
                        hyphenated,
                        hyphenated.toUpperCase(),
                        hyphenated.replace("-", ""),
                        "{" + hyphenated + "}",
                        "urn:uuid:" + hyphenated);
        int n = 0;
        for (String spelling : spellings) {
            await(
                    client.upsertAsync(
                            collection,
                            List.of(
                                    point(
                                            PointId.newBuilder().setUuid(spelling).build(),
                                            X,
                                            Map.of("n", value(n++))))));
        }
        assertThat(await(client.countAsync(collection))).isEqualTo(1);
        RetrievedPoint p = get(PointId.newBuilder().setUuid(hyphenated.toUpperCase()).build());
        assertThat(p.getId().getUuid()).isEqualTo(hyphenated);
        assertThat(p.getPayloadMap().get("n").getIntegerValue()).isEqualTo(spellings.size() - 1);
    }

    @Test
    void malformedUuidIsRejected() {
        assertStatus(
                client.upsertAsync(
                        collection,
                        List.of(
                                point(
                                        PointId.newBuilder().setUuid("not-a-uuid").build(),
                                        X,
                                        Map.of()))),
                Status.Code.INVALID_ARGUMENT,
                "Unable to parse UUID: not-a-uuid");
    }

    @Test
    void numericIdsAreUnsigned64BitAndSortBeforeUuids() throws Exception {
        long max = -1L; // 2^64 - 1 as unsigned
        UUID uuid = UUID.fromString("00000000-0000-4000-8000-000000000001");
        await(
                client.upsertAsync(
                        collection,
                        List.of(
                                point(id(uuid), X, Map.of()),
                                point(max, Y, Map.of()),
                                point(5, Z, Map.of()))));
        ScrollResponse page =
                await(
                        client.scrollAsync(
                                ScrollPoints.newBuilder()
                                        .setCollectionName(collection)
                                        .setLimit(10)
                                        .build()));
        assertThat(ids(page.getResultList().stream().map(RetrievedPoint::getId).toList()))
                .containsExactly("5", "18446744073709551615", uuid.toString());
    }

    // ------------------------------------------------------------------ payload values

    @Test
    void payloadValuesKeepTheirTypes() throws Exception {
        Map<String, Value> payload = new LinkedHashMap<>();
        payload.put("int", value(42));
        payload.put("double", value(3.0));
        payload.put("string", value("héllo"));
        payload.put("bool", value(true));
        payload.put("list", list(List.of(value(1), value(2))));
        payload.put("struct", value(Map.of("k", value("v"))));
        payload.put("null", nullValue());
        await(client.upsertAsync(collection, List.of(point(1, X, payload))));
        Map<String, Value> back = get(id(1)).getPayloadMap();
        assertThat(back.get("int").getKindCase()).isEqualTo(Value.KindCase.INTEGER_VALUE);
        assertThat(back.get("double").getKindCase()).isEqualTo(Value.KindCase.DOUBLE_VALUE);
        assertThat(back.get("double").getDoubleValue()).isEqualTo(3.0);
        assertThat(back.get("string").getStringValue()).isEqualTo("héllo");
        assertThat(back.get("bool").getBoolValue()).isTrue();
        assertThat(back.get("list").getListValue().getValuesList())
                .extracting(Value::getIntegerValue)
                .containsExactly(1L, 2L);
        assertThat(back.get("struct").getStructValue().getFieldsMap().get("k").getStringValue())
                .isEqualTo("v");
        assertThat(back.get("null").getKindCase()).isEqualTo(Value.KindCase.NULL_VALUE);
    }

    @Test
    void nanPayloadIsRejected() {
        assertStatus(
                client.upsertAsync(
                        collection, List.of(point(1, X, Map.of("x", value(Double.NaN))))),
                Status.Code.INVALID_ARGUMENT,
                "cannot convert to json number");
    }

    // ------------------------------------------------------------------ delete

    @Test
    void deleteByIdsIgnoresUnknownIds() throws Exception {
        await(
                client.upsertAsync(
                        collection, List.of(point(1, X, Map.of()), point(2, Y, Map.of()))));
        UpdateResult result = await(client.deleteAsync(collection, List.of(id(1), id(404))));
        assertThat(result.getStatus()).isEqualTo(UpdateStatus.Completed);
        assertThat(
                        await(
                                client.retrieveAsync(
                                        collection, List.of(id(1), id(2)), false, false, null)))
                .extracting(p -> p.getId().getNum())
                .containsExactly(2L);
    }

    @Test
    void deleteByFilterRemovesOnlyMatchingPoints() throws Exception {
        await(
                client.upsertAsync(
                        collection,
                        List.of(
                                point(1, X, Map.of("guild_id", value(10))),
                                point(2, Y, Map.of("guild_id", value(20))),
                                point(3, Z, Map.of("guild_id", value(10))))));
        await(
                client.deleteAsync(
                        collection, Filter.newBuilder().addMust(match("guild_id", 10)).build()));
        assertThat(await(client.countAsync(collection))).isEqualTo(1);
    }

    @Test
    void upsertThenDeleteThenUpsertOfOneIdEndsUpserted() throws Exception {
        await(client.upsertAsync(collection, List.of(point(1, X, Map.of("v", value(1))))));
        await(
                client.deleteAsync(
                        DeletePoints.newBuilder()
                                .setCollectionName(collection)
                                .setWait(false)
                                .setPoints(
                                        PointsSelector.newBuilder()
                                                .setPoints(
                                                        PointsIdsList.newBuilder().addIds(id(1))))
                                .build()));
        upsertNoWait(point(1, Y, Map.of("v", value(3))));
        barrier();
        assertThat(get(id(1)).getPayloadMap().get("v").getIntegerValue()).isEqualTo(3);
    }

    // ------------------------------------------------------------------ get

    @Test
    void getReturnsRequestedOrderCollapsesDuplicatesAndSkipsMissing() throws Exception {
        await(
                client.upsertAsync(
                        collection,
                        List.of(
                                point(1, X, Map.of()),
                                point(2, Y, Map.of()),
                                point(3, Z, Map.of()))));
        List<RetrievedPoint> found =
                await(
                        client.retrieveAsync(
                                collection,
                                List.of(id(3), id(404), id(1), id(3)),
                                false,
                                false,
                                null));
        assertThat(found).extracting(p -> p.getId().getNum()).containsExactly(3L, 1L);
    }

    @Test
    void getWithoutPayloadSelectorReturnsNoPayloadAndNoVectors() throws Exception {
        await(client.upsertAsync(collection, List.of(point(1, X, Map.of("a", value(1))))));
        List<RetrievedPoint> found =
                await(
                        client.retrieveAsync(
                                GetPoints.newBuilder()
                                        .setCollectionName(collection)
                                        .addIds(id(1))
                                        .build(),
                                null));
        assertThat(found.get(0).getPayloadMap()).isEmpty();
        assertThat(found.get(0).hasVectors()).isFalse();
    }

    // ------------------------------------------------------------------ set payload

    @Test
    void setPayloadMergesKeys() throws Exception {
        await(
                client.upsertAsync(
                        collection, List.of(point(1, X, Map.of("a", value(1), "b", value(2))))));
        await(
                client.setPayloadAsync(
                        collection,
                        Map.of("b", value(20), "c", value(30)),
                        List.of(id(1)),
                        true,
                        null,
                        null));
        Map<String, Value> payload = get(id(1)).getPayloadMap();
        assertThat(payload).containsOnlyKeys("a", "b", "c");
        assertThat(payload.get("b").getIntegerValue()).isEqualTo(20);
    }

    @Test
    void setPayloadOnAnUnknownIdIsNotFound() {
        assertStatus(
                client.setPayloadAsync(
                        collection, Map.of("a", value(1)), List.of(id(404)), true, null, null),
                Status.Code.NOT_FOUND,
                "No point with id 404 found");
    }

    @Test
    void overwritePayloadReplacesTheWholePayload() throws Exception {
        await(
                client.upsertAsync(
                        collection, List.of(point(1, X, Map.of("a", value(1), "b", value(2))))));
        await(
                client.overwritePayloadAsync(
                        collection, Map.of("c", value(3)), List.of(id(1)), true, null, null));
        assertThat(get(id(1)).getPayloadMap()).containsOnlyKeys("c");
    }

    // ------------------------------------------------------------------ scroll and count

    @Test
    void scrollPagesByIdWithAnInclusiveNextOffset() throws Exception {
        List<PointStruct> points = new ArrayList<>();
        for (long i = 1; i <= 5; i++) {
            points.add(point(i, X, Map.of("i", value(i))));
        }
        await(client.upsertAsync(collection, points));
        ScrollResponse first =
                await(
                        client.scrollAsync(
                                ScrollPoints.newBuilder()
                                        .setCollectionName(collection)
                                        .setLimit(2)
                                        .build()));
        assertThat(first.getResultList())
                .extracting(p -> p.getId().getNum())
                .containsExactly(1L, 2L);
        assertThat(first.getNextPageOffset().getNum()).isEqualTo(3);
        ScrollResponse last =
                await(
                        client.scrollAsync(
                                ScrollPoints.newBuilder()
                                        .setCollectionName(collection)
                                        .setLimit(3)
                                        .setOffset(first.getNextPageOffset())
                                        .build()));
        assertThat(last.getResultList())
                .extracting(p -> p.getId().getNum())
                .containsExactly(3L, 4L, 5L);
        assertThat(last.hasNextPageOffset()).isFalse();
    }

    @Test
    void scrollReturnsPayloadButNoVectorsByDefaultAndDefaultsToTenPoints() throws Exception {
        List<PointStruct> points = new ArrayList<>();
        for (long i = 1; i <= 12; i++) {
            points.add(point(i, X, Map.of("i", value(i))));
        }
        await(client.upsertAsync(collection, points));
        ScrollResponse page =
                await(
                        client.scrollAsync(
                                ScrollPoints.newBuilder().setCollectionName(collection).build()));
        assertThat(page.getResultList()).hasSize(10);
        assertThat(page.getResult(0).getPayloadMap()).containsKey("i");
        assertThat(page.getResult(0).hasVectors()).isFalse();
    }

    @Test
    void scrollWithFilterSkipsNonMatchingPoints() throws Exception {
        await(
                client.upsertAsync(
                        collection,
                        List.of(
                                point(1, X, Map.of("g", value(1))),
                                point(2, X, Map.of("g", value(2))),
                                point(3, X, Map.of("g", value(1))))));
        ScrollResponse page =
                await(
                        client.scrollAsync(
                                ScrollPoints.newBuilder()
                                        .setCollectionName(collection)
                                        .setFilter(Filter.newBuilder().addMust(match("g", 1)))
                                        .build()));
        assertThat(page.getResultList())
                .extracting(p -> p.getId().getNum())
                .containsExactly(1L, 3L);
    }

    @Test
    void countWithAFilter() throws Exception {
        await(
                client.upsertAsync(
                        collection,
                        List.of(
                                point(1, X, Map.of("c", value("a"))),
                                point(2, X, Map.of("c", value("b"))),
                                point(3, X, Map.of("c", value("a"))))));
        assertThat(
                        await(
                                client.countAsync(
                                        collection,
                                        Filter.newBuilder().addMust(matchKeyword("c", "a")).build(),
                                        true)))
                .isEqualTo(2);
    }

    // ------------------------------------------------------------------ query and search

    private void loadScoringFixture() throws Exception {
        await(
                client.upsertAsync(
                        collection,
                        List.of(
                                point(
                                        1,
                                        new float[] {1, 0, 0, 0},
                                        Map.of("g", value(1), "t", value("one"))),
                                point(
                                        2,
                                        new float[] {1, 1, 0, 0},
                                        Map.of("g", value(1), "t", value("two"))),
                                point(
                                        3,
                                        new float[] {0, 1, 0, 0},
                                        Map.of("g", value(2), "t", value("three"))),
                                point(
                                        4,
                                        new float[] {-1, 0, 0, 0},
                                        Map.of("g", value(2), "t", value("four"))))));
    }

    @Test
    void queryRanksByCosineSimilarityWithNormalisedScores() throws Exception {
        loadScoringFixture();
        List<ScoredPoint> hits =
                await(
                        client.queryAsync(
                                QueryPoints.newBuilder()
                                        .setCollectionName(collection)
                                        .setQuery(nearest(2f, 0f, 0f, 0f))
                                        .build()));
        assertThat(hits).extracting(p -> p.getId().getNum()).containsExactly(1L, 2L, 3L, 4L);
        assertThat(hits.get(0).getScore()).isCloseTo(1f, within(1e-5f));
        assertThat(hits.get(1).getScore()).isCloseTo((float) (1 / Math.sqrt(2)), within(1e-5f));
        assertThat(hits.get(2).getScore()).isCloseTo(0f, within(1e-5f));
        assertThat(hits.get(3).getScore()).isCloseTo(-1f, within(1e-5f));
    }

    @Test
    void queryScoreThresholdKeepsOnlyStrictlyBetterScores() throws Exception {
        loadScoringFixture();
        List<ScoredPoint> hits =
                await(
                        client.queryAsync(
                                QueryPoints.newBuilder()
                                        .setCollectionName(collection)
                                        .setQuery(nearest(1f, 0f, 0f, 0f))
                                        .setScoreThreshold(0f)
                                        .build()));
        // Point 3 scores exactly 0 (orthogonal): not strictly greater than the threshold.
        assertThat(hits).extracting(p -> p.getId().getNum()).containsExactly(1L, 2L);
    }

    @Test
    void queryFiltersLimitsAndOffsets() throws Exception {
        loadScoringFixture();
        List<ScoredPoint> hits =
                await(
                        client.queryAsync(
                                QueryPoints.newBuilder()
                                        .setCollectionName(collection)
                                        .setQuery(nearest(1f, 0f, 0f, 0f))
                                        .setFilter(Filter.newBuilder().addMust(match("g", 2)))
                                        .setLimit(1)
                                        .setOffset(1)
                                        .build()));
        assertThat(hits).extracting(p -> p.getId().getNum()).containsExactly(4L);
    }

    @Test
    void queryReturnsPayloadOnlyWhenAsked() throws Exception {
        loadScoringFixture();
        List<ScoredPoint> bare =
                await(
                        client.queryAsync(
                                QueryPoints.newBuilder()
                                        .setCollectionName(collection)
                                        .setQuery(nearest(1f, 0f, 0f, 0f))
                                        .setLimit(1)
                                        .build()));
        assertThat(bare.get(0).getPayloadMap()).isEmpty();
        List<ScoredPoint> full =
                await(
                        client.queryAsync(
                                QueryPoints.newBuilder()
                                        .setCollectionName(collection)
                                        .setQuery(nearest(1f, 0f, 0f, 0f))
                                        .setLimit(1)
                                        .setWithPayload(enable(true))
                                        .setWithVectors(
                                                WithVectorsSelector.newBuilder().setEnable(true))
                                        .build()));
        assertThat(full.get(0).getPayloadMap().get("t").getStringValue()).isEqualTo("one");
        assertThat(vectorOf(full.get(0).getVectors())).containsExactly(1f, 0f, 0f, 0f);
    }

    @Test
    void queryWithAWrongDimensionIsRejected() {
        assertStatus(
                client.queryAsync(
                        QueryPoints.newBuilder()
                                .setCollectionName(collection)
                                .setQuery(nearest(1f, 0f))
                                .build()),
                Status.Code.INVALID_ARGUMENT,
                "Vector dimension error: expected dim: 4, got 2");
    }

    @Test
    void scoreThresholdWithoutAQueryIsRejected() {
        assertStatus(
                client.queryAsync(
                        QueryPoints.newBuilder()
                                .setCollectionName(collection)
                                .setScoreThreshold(0.5f)
                                .build()),
                Status.Code.INVALID_ARGUMENT,
                "A query is needed to use the score_threshold");
    }

    @Test
    void queryLimitZeroIsRejected() {
        assertStatus(
                client.queryAsync(
                        QueryPoints.newBuilder()
                                .setCollectionName(collection)
                                .setQuery(nearest(1f, 0f, 0f, 0f))
                                .setLimit(0)
                                .build()),
                Status.Code.INVALID_ARGUMENT,
                null);
    }

    @Test
    void searchFiltersThresholdsAndReturnsPayloadWhenAsked() throws Exception {
        loadScoringFixture();
        List<ScoredPoint> hits =
                await(
                        client.searchAsync(
                                SearchPoints.newBuilder()
                                        .setCollectionName(collection)
                                        .addAllVector(List.of(1f, 0f, 0f, 0f))
                                        .setFilter(Filter.newBuilder().addMust(match("g", 1)))
                                        .setLimit(10)
                                        .setScoreThreshold(0.9f)
                                        .setWithPayload(enable(true))
                                        .build()));
        assertThat(hits).extracting(p -> p.getId().getNum()).containsExactly(1L);
        assertThat(hits.get(0).getPayloadMap().get("t").getStringValue()).isEqualTo("one");
    }

    @Test
    void dotProductScoresAreRawAndEuclidRanksSmallestDistanceFirst() throws Exception {
        String dot = newCollection(2, Distance.Dot);
        await(
                client.upsertAsync(
                        dot,
                        List.of(
                                point(1, new float[] {2, 0}, Map.of()),
                                point(2, new float[] {1, 1}, Map.of()))));
        List<ScoredPoint> dotHits =
                await(
                        client.queryAsync(
                                QueryPoints.newBuilder()
                                        .setCollectionName(dot)
                                        .setQuery(nearest(3f, 0f))
                                        .build()));
        assertThat(dotHits).extracting(p -> p.getId().getNum()).containsExactly(1L, 2L);
        assertThat(dotHits.get(0).getScore()).isCloseTo(6f, within(1e-5f));

        String euclid = newCollection(2, Distance.Euclid);
        await(
                client.upsertAsync(
                        euclid,
                        List.of(
                                point(1, new float[] {10, 0}, Map.of()),
                                point(2, new float[] {1, 0}, Map.of()))));
        List<ScoredPoint> euclidHits =
                await(
                        client.queryAsync(
                                QueryPoints.newBuilder()
                                        .setCollectionName(euclid)
                                        .setQuery(nearest(0f, 0f))
                                        .setScoreThreshold(5f)
                                        .build()));
        assertThat(euclidHits).extracting(p -> p.getId().getNum()).containsExactly(2L);
        assertThat(euclidHits.get(0).getScore()).isCloseTo(1f, within(1e-5f));
    }
}
