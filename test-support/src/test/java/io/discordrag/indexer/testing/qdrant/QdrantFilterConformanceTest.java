package io.discordrag.indexer.testing.qdrant;

import com.google.protobuf.Timestamp;
import io.grpc.Status;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Common.DatetimeRange;
import io.qdrant.client.grpc.Common.FieldCondition;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.MinShould;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.Common.Range;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.ScrollPoints;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.discordrag.indexer.testing.qdrant.ConformanceSupport.assertStatus;
import static io.discordrag.indexer.testing.qdrant.ConformanceSupport.await;
import static io.discordrag.indexer.testing.qdrant.ConformanceSupport.point;
import static io.qdrant.client.ConditionFactory.datetimeRange;
import static io.qdrant.client.ConditionFactory.filter;
import static io.qdrant.client.ConditionFactory.hasId;
import static io.qdrant.client.ConditionFactory.isEmpty;
import static io.qdrant.client.ConditionFactory.isNull;
import static io.qdrant.client.ConditionFactory.match;
import static io.qdrant.client.ConditionFactory.matchExceptValues;
import static io.qdrant.client.ConditionFactory.matchKeyword;
import static io.qdrant.client.ConditionFactory.matchKeywords;
import static io.qdrant.client.ConditionFactory.matchValues;
import static io.qdrant.client.ConditionFactory.range;
import static io.qdrant.client.PointIdFactory.id;
import static io.qdrant.client.ValueFactory.list;
import static io.qdrant.client.ValueFactory.nullValue;
import static io.qdrant.client.ValueFactory.value;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pins down Qdrant's filter semantics on one fixed data set (scalar, array, missing, null and empty
 * fields), through the public client API only.
 */
class QdrantFilterConformanceTest {

    @RegisterExtension static final QdrantExtension QDRANT = new QdrantExtension();

    private static final float[] V = {1, 0, 0, 0};
    private static final UUID UUID_POINT = UUID.fromString("5c56c793-69f3-4fbf-87e6-c4bf54c28c26");
    private static String collection;
    private static QdrantClient client;

    @BeforeAll
    static void load() throws Exception {
        client = QDRANT.client();
        collection = QdrantTarget.uniqueCollectionName("filters");
        await(
                client.createCollectionAsync(
                        collection,
                        VectorParams.newBuilder().setSize(4).setDistance(Distance.Cosine).build()));
        await(
                client.upsertAsync(
                        collection,
                        List.of(
                                point(
                                        1,
                                        V,
                                        Map.of(
                                                "guild_id",
                                                value(100),
                                                "channel",
                                                value("general"),
                                                "message_ids",
                                                ints(1, 2, 3),
                                                "score",
                                                value(0.5),
                                                "pinned",
                                                value(true),
                                                "start_time",
                                                value("2024-05-01T10:00:00Z"))),
                                point(
                                        2,
                                        V,
                                        Map.of(
                                                "guild_id",
                                                value(100),
                                                "channel",
                                                value("General"),
                                                "message_ids",
                                                ints(4, 5),
                                                "score",
                                                value(2.0),
                                                "pinned",
                                                value(false),
                                                "start_time",
                                                value("2024-05-02T10:00:00Z"))),
                                point(
                                        3,
                                        V,
                                        Map.of(
                                                "guild_id",
                                                value(200),
                                                "channel",
                                                value("random"),
                                                "message_ids",
                                                ints(),
                                                "score",
                                                value(7),
                                                "tag",
                                                nullValue(),
                                                "start_time",
                                                value("2024-06-01T10:00:00+02:00"))),
                                point(
                                        4,
                                        V,
                                        Map.of(
                                                "guild_id",
                                                value(200),
                                                "message_ids",
                                                ints(1),
                                                "tags",
                                                list(List.of(nullValue())))),
                                point(
                                        id(UUID_POINT),
                                        V,
                                        Map.of(
                                                "guild_id",
                                                value(300),
                                                "channel",
                                                value("general"),
                                                "meta",
                                                value(Map.of("lang", value("en"))))))));
    }

    @AfterAll
    static void drop() throws Exception {
        try {
            client.deleteCollectionAsync(collection).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException ignored) {
            // already gone
        }
    }

    private static Value ints(long... values) {
        return list(java.util.Arrays.stream(values).mapToObj(v -> value(v)).toList());
    }

    /** Ids (numbers, or "uuid") of the points the filter selects, in scroll order. */
    private static List<String> select(Filter filter) throws Exception {
        List<RetrievedPoint> points =
                await(
                                client.scrollAsync(
                                        ScrollPoints.newBuilder()
                                                .setCollectionName(collection)
                                                .setFilter(filter)
                                                .setLimit(100)
                                                .build()))
                        .getResultList();
        return points.stream()
                .map(p -> p.getId().hasNum() ? String.valueOf(p.getId().getNum()) : "uuid")
                .toList();
    }

    private static Filter must(Condition... conditions) {
        return Filter.newBuilder().addAllMust(List.of(conditions)).build();
    }

    @Test
    void emptyFilterMatchesEverything() throws Exception {
        assertThat(select(Filter.getDefaultInstance())).containsExactly("1", "2", "3", "4", "uuid");
    }

    @Test
    void integerMatchOnAScalarField() throws Exception {
        assertThat(select(must(match("guild_id", 100)))).containsExactly("1", "2");
    }

    @Test
    void integerMatchOnAnArrayFieldMatchesAnyElement() throws Exception {
        assertThat(select(must(match("message_ids", 1)))).containsExactly("1", "4");
        assertThat(select(must(match("message_ids", 5)))).containsExactly("2");
    }

    @Test
    void keywordMatchIsCaseSensitive() throws Exception {
        assertThat(select(must(matchKeyword("channel", "general")))).containsExactly("1", "uuid");
    }

    @Test
    void booleanMatch() throws Exception {
        assertThat(select(must(match("pinned", false)))).containsExactly("2");
    }

    @Test
    void integerMatchDoesNotMatchAStoredDouble() throws Exception {
        // Point 2 stores score 2.0 as a double; point 3 stores 7 as an integer.
        assertThat(select(must(match("score", 2)))).isEmpty();
        assertThat(select(must(match("score", 7)))).containsExactly("3");
    }

    @Test
    void matchAnyOfIntegersAndKeywords() throws Exception {
        assertThat(select(must(matchValues("message_ids", List.of(3L, 5L)))))
                .containsExactly("1", "2");
        assertThat(select(must(matchKeywords("channel", List.of("random", "General")))))
                .containsExactly("2", "3");
    }

    @Test
    void exceptOnArraysMatchesWhenAnyElementIsOutsideTheList() throws Exception {
        // [1,2,3] except [1] matches; [1] except [1] does not; [] never matches; missing never
        // matches.
        assertThat(select(must(matchExceptValues("message_ids", List.of(1L)))))
                .containsExactly("1", "2");
        assertThat(select(must(matchExceptValues("message_ids", List.of(1L, 2L, 3L, 4L, 5L)))))
                .isEmpty();
    }

    @Test
    void aMissingKeyFailsEveryMatchIncludingExcept() throws Exception {
        assertThat(select(must(matchExceptValues("absent", List.of(1L))))).isEmpty();
        assertThat(select(must(match("absent", 1)))).isEmpty();
    }

    @Test
    void rangeCoversIntegersAndDoubles() throws Exception {
        assertThat(select(must(range("score", Range.newBuilder().setGte(0.5).setLt(7).build()))))
                .containsExactly("1", "2");
        assertThat(select(must(range("score", Range.newBuilder().setGt(2).build()))))
                .containsExactly("3");
    }

    @Test
    void datetimeRangeComparesInstantsAcrossOffsets() throws Exception {
        Instant from = Instant.parse("2024-05-02T00:00:00Z");
        Instant to = Instant.parse("2024-06-01T08:00:00Z"); // = 10:00+02:00
        assertThat(
                        select(
                                must(
                                        datetimeRange(
                                                "start_time",
                                                DatetimeRange.newBuilder()
                                                        .setGte(ts(from))
                                                        .setLte(ts(to))
                                                        .build()))))
                .containsExactly("2", "3");
    }

    private static Timestamp ts(Instant i) {
        return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
    }

    @Test
    void mustShouldAndMustNotCombine() throws Exception {
        Filter f =
                Filter.newBuilder()
                        .addMust(
                                range(
                                        "guild_id",
                                        Range.newBuilder().setGte(100).setLte(200).build()))
                        .addShould(matchKeyword("channel", "general"))
                        .addShould(matchKeyword("channel", "random"))
                        .addMustNot(match("guild_id", 200))
                        .build();
        assertThat(select(f)).containsExactly("1");
    }

    @Test
    void shouldAloneNeedsOneMatch() throws Exception {
        Filter f =
                Filter.newBuilder()
                        .addShould(match("guild_id", 300))
                        .addShould(match("message_ids", 4))
                        .build();
        assertThat(select(f)).containsExactly("2", "uuid");
    }

    @Test
    void minShouldCountsMatchingConditions() throws Exception {
        Filter f =
                Filter.newBuilder()
                        .setMinShould(
                                MinShould.newBuilder()
                                        .addConditions(match("guild_id", 100))
                                        .addConditions(matchKeyword("channel", "general"))
                                        .addConditions(match("pinned", true))
                                        .setMinCount(2))
                        .build();
        assertThat(select(f)).containsExactly("1");
    }

    @Test
    void nestedFilterConditions() throws Exception {
        Filter inner =
                Filter.newBuilder()
                        .addShould(match("guild_id", 300))
                        .addShould(match("message_ids", 2))
                        .build();
        assertThat(
                        select(
                                Filter.newBuilder()
                                        .addMust(filter(inner))
                                        .addMustNot(match("pinned", true))
                                        .build()))
                .containsExactly("uuid");
    }

    @Test
    void jsonPathsWalkIntoObjects() throws Exception {
        assertThat(select(must(matchKeyword("meta.lang", "en")))).containsExactly("uuid");
    }

    @Test
    void isEmptyIsTrueForMissingNullAndEmptyArrayButNotForAnArrayOfNull() throws Exception {
        assertThat(select(must(isEmpty("message_ids")))).containsExactly("3", "uuid");
        assertThat(select(must(isEmpty("tag")))).containsExactly("1", "2", "3", "4", "uuid");
        assertThat(select(must(isEmpty("tags")))).containsExactly("1", "2", "3", "uuid");
    }

    @Test
    void isNullIsTrueOnlyForAStoredNull() throws Exception {
        assertThat(select(must(isNull("tag")))).containsExactly("3");
        assertThat(select(must(isNull("message_ids")))).isEmpty();
    }

    @Test
    void hasIdNormalisesUuidSpellings() throws Exception {
        PointId upper = PointId.newBuilder().setUuid(UUID_POINT.toString().toUpperCase()).build();
        assertThat(select(must(hasId(List.of(upper, id(2)))))).containsExactly("2", "uuid");
    }

    @Test
    void aFieldConditionWithoutAnyConditionIsRejected() {
        Condition empty =
                Condition.newBuilder()
                        .setField(FieldCondition.newBuilder().setKey("guild_id"))
                        .build();
        assertStatus(
                client.scrollAsync(
                        ScrollPoints.newBuilder()
                                .setCollectionName(collection)
                                .setFilter(must(empty))
                                .build()),
                Status.Code.INVALID_ARGUMENT,
                "At least one field condition must be specified");
    }
}
