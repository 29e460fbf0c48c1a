package io.discordrag.indexer.testing.qdrant;

import io.grpc.stub.StreamObserver;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.PayloadIndexParams;
import io.qdrant.client.grpc.Collections.PayloadSchemaInfo;
import io.qdrant.client.grpc.Collections.PayloadSchemaType;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.JsonWithInt.ListValue;
import io.qdrant.client.grpc.JsonWithInt.NullValue;
import io.qdrant.client.grpc.JsonWithInt.Struct;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.CountPoints;
import io.qdrant.client.grpc.Points.CountResponse;
import io.qdrant.client.grpc.Points.CountResult;
import io.qdrant.client.grpc.Points.CreateFieldIndexCollection;
import io.qdrant.client.grpc.Points.DeleteFieldIndexCollection;
import io.qdrant.client.grpc.Points.DeletePoints;
import io.qdrant.client.grpc.Points.DenseVector;
import io.qdrant.client.grpc.Points.FieldType;
import io.qdrant.client.grpc.Points.GetPoints;
import io.qdrant.client.grpc.Points.GetResponse;
import io.qdrant.client.grpc.Points.NamedVectorsOutput;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.PointsOperationResponse;
import io.qdrant.client.grpc.Points.PointsSelector;
import io.qdrant.client.grpc.Points.QueryPoints;
import io.qdrant.client.grpc.Points.QueryResponse;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.ScrollPoints;
import io.qdrant.client.grpc.Points.ScrollResponse;
import io.qdrant.client.grpc.Points.SearchPoints;
import io.qdrant.client.grpc.Points.SearchResponse;
import io.qdrant.client.grpc.Points.SetPayloadPoints;
import io.qdrant.client.grpc.Points.UpdateResult;
import io.qdrant.client.grpc.Points.UpdateStatus;
import io.qdrant.client.grpc.Points.Vector;
import io.qdrant.client.grpc.Points.VectorOutput;
import io.qdrant.client.grpc.Points.VectorsOutput;
import io.qdrant.client.grpc.Points.WithPayloadSelector;
import io.qdrant.client.grpc.Points.WithVectorsSelector;
import io.qdrant.client.grpc.PointsGrpc;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The {@code qdrant.Points} service: writes, reads, filters and nearest-neighbour queries. */
final class PointsService extends PointsGrpc.PointsImplBase {

    private static final int DEFAULT_LIMIT = 10;

    private final StandInStore store;

    PointsService(StandInStore store) {
        this.store = store;
    }

    // ---------------------------------------------------------------- writes

    @Override
    public void upsert(
            io.qdrant.client.grpc.Points.UpsertPoints request,
            StreamObserver<PointsOperationResponse> observer) {
        long start = System.nanoTime();
        Responses.reply(
                store,
                observer,
                () -> {
                    StandInCollection c = store.resolve(request.getCollectionName());
                    if (request.hasUpdateFilter() || request.hasUpdateMode()) {
                        throw QdrantErrors.unimplemented(
                                "conditional upserts (update_filter/update_mode)");
                    }
                    if (request.getPointsCount() == 0) {
                        throw QdrantErrors.badRequest("Empty update request");
                    }
                    // Conversion errors reach the caller whatever `wait` says.
                    List<PointKey> keys = new ArrayList<>();
                    List<Map<String, List<Float>>> rawVectors = new ArrayList<>();
                    List<Map<String, Value>> payloads = new ArrayList<>();
                    for (PointStruct p : request.getPointsList()) {
                        if (!p.hasId()) {
                            throw QdrantErrors.invalidArgument("Empty ID is not allowed")
                                    .asRuntimeException();
                        }
                        keys.add(PointKey.of(p.getId()));
                        rawVectors.add(vectorsOf(p));
                        payloads.add(cleanPayload(p.getPayloadMap()));
                    }
                    boolean wait = request.hasWait() && request.getWait();
                    List<StoredPoint> prepared = new ArrayList<>();
                    long op = c.nextOperationId();
                    try {
                        for (int i = 0; i < keys.size(); i++) {
                            Map<String, float[]> vectors = new LinkedHashMap<>();
                            for (Map.Entry<String, List<Float>> e : rawVectors.get(i).entrySet()) {
                                vectors.put(e.getKey(), c.prepare(e.getKey(), e.getValue()));
                            }
                            prepared.add(
                                    new StoredPoint(keys.get(i), vectors, payloads.get(i), op));
                        }
                    } catch (RuntimeException e) {
                        if (wait) {
                            throw e;
                        }
                        // wait=false: the error happens after the acknowledgement and is never
                        // reported.
                        return updated(op, false, start);
                    }
                    for (StoredPoint p : prepared) {
                        c.points.put(p.id(), p);
                    }
                    return updated(op, wait, start);
                });
    }

    private static Map<String, List<Float>> vectorsOf(PointStruct p) {
        if (!p.hasVectors()) {
            throw QdrantErrors.invalidArgument("Expected some vectors").asRuntimeException();
        }
        Map<String, List<Float>> out = new LinkedHashMap<>();
        switch (p.getVectors().getVectorsOptionsCase()) {
            case VECTOR:
                out.put(StandInCollection.DEFAULT_VECTOR, dense(p.getVectors().getVector()));
                break;
            case VECTORS:
                for (Map.Entry<String, Vector> e :
                        p.getVectors().getVectors().getVectorsMap().entrySet()) {
                    out.put(e.getKey(), dense(e.getValue()));
                }
                break;
            default:
                throw QdrantErrors.invalidArgument("Expected some vectors").asRuntimeException();
        }
        return out;
    }

    @SuppressWarnings("deprecation")
    private static List<Float> dense(Vector v) {
        switch (v.getVectorCase()) {
            case DENSE:
                return v.getDense().getDataList();
            case VECTOR_NOT_SET:
                return v.getDataList();
            default:
                throw QdrantErrors.unimplemented("non-dense vectors (" + v.getVectorCase() + ")");
        }
    }

    /** Qdrant's JSON conversion: unset kinds become null, NaN and infinities are rejected. */
    static Map<String, Value> cleanPayload(Map<String, Value> payload) {
        Map<String, Value> out = new LinkedHashMap<>();
        for (Map.Entry<String, Value> e : payload.entrySet()) {
            out.put(e.getKey(), clean(e.getValue()));
        }
        return out;
    }

    private static Value clean(Value v) {
        switch (v.getKindCase()) {
            case KIND_NOT_SET:
                return Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();
            case DOUBLE_VALUE:
                if (Double.isNaN(v.getDoubleValue()) || Double.isInfinite(v.getDoubleValue())) {
                    throw QdrantErrors.invalidArgument("cannot convert to json number")
                            .asRuntimeException();
                }
                return v;
            case LIST_VALUE:
                {
                    ListValue.Builder list = ListValue.newBuilder();
                    for (Value e : v.getListValue().getValuesList()) {
                        list.addValues(clean(e));
                    }
                    return Value.newBuilder().setListValue(list).build();
                }
            case STRUCT_VALUE:
                return Value.newBuilder()
                        .setStructValue(
                                Struct.newBuilder()
                                        .putAllFields(
                                                cleanPayload(v.getStructValue().getFieldsMap())))
                        .build();
            default:
                return v;
        }
    }

    private static PointsOperationResponse updated(long op, boolean wait, long start) {
        return PointsOperationResponse.newBuilder()
                .setResult(
                        UpdateResult.newBuilder()
                                .setOperationId(op)
                                .setStatus(
                                        wait ? UpdateStatus.Completed : UpdateStatus.Acknowledged))
                .setTime(Responses.elapsed(start))
                .build();
    }

    /**
     * The points a selector names: ids that exist (unknown ids skipped), or those a filter matches.
     */
    private static List<PointKey> select(StandInCollection c, PointsSelector selector) {
        List<PointKey> out = new ArrayList<>();
        switch (selector.getPointsSelectorOneOfCase()) {
            case POINTS:
                if (selector.getPoints().getIdsCount() == 0) {
                    throw QdrantErrors.badRequest("Empty update request");
                }
                for (PointId id : selector.getPoints().getIdsList()) {
                    out.add(PointKey.of(id));
                }
                return out;
            case FILTER:
                FilterEvaluator.validate(selector.getFilter());
                for (StoredPoint p : c.filtered(selector.getFilter())) {
                    out.add(p.id());
                }
                return out;
            default:
                throw QdrantErrors.invalidArgument("PointSelector is missing").asRuntimeException();
        }
    }

    @Override
    public void delete(DeletePoints request, StreamObserver<PointsOperationResponse> observer) {
        long start = System.nanoTime();
        Responses.reply(
                store,
                observer,
                () -> {
                    StandInCollection c = store.resolve(request.getCollectionName());
                    if (!request.hasPoints()) {
                        throw QdrantErrors.invalidArgument("PointSelector is missing")
                                .asRuntimeException();
                    }
                    List<PointKey> targets = select(c, request.getPoints());
                    long op = c.nextOperationId();
                    for (PointKey k : targets) {
                        c.points.remove(k);
                    }
                    return updated(op, request.hasWait() && request.getWait(), start);
                });
    }

    @Override
    public void setPayload(
            SetPayloadPoints request, StreamObserver<PointsOperationResponse> observer) {
        writePayload(request, false, observer);
    }

    @Override
    public void overwritePayload(
            SetPayloadPoints request, StreamObserver<PointsOperationResponse> observer) {
        writePayload(request, true, observer);
    }

    private void writePayload(
            SetPayloadPoints request,
            boolean overwrite,
            StreamObserver<PointsOperationResponse> observer) {
        long start = System.nanoTime();
        Responses.reply(
                store,
                observer,
                () -> {
                    StandInCollection c = store.resolve(request.getCollectionName());
                    if (!request.hasPointsSelector()) {
                        throw QdrantErrors.invalidArgument("points_selector is expected")
                                .asRuntimeException();
                    }
                    if (request.hasKey()) {
                        throw QdrantErrors.unimplemented("set_payload with a key");
                    }
                    Map<String, Value> update = cleanPayload(request.getPayloadMap());
                    List<PointKey> targets = select(c, request.getPointsSelector());
                    boolean wait = request.hasWait() && request.getWait();
                    for (PointKey k : targets) {
                        if (!c.points.containsKey(k)) {
                            if (wait) {
                                throw QdrantErrors.notFound("No point with id " + k + " found");
                            }
                            return updated(c.nextOperationId(), false, start);
                        }
                    }
                    long op = c.nextOperationId();
                    for (PointKey k : targets) {
                        StoredPoint old = c.points.get(k);
                        Map<String, Value> payload =
                                overwrite
                                        ? new LinkedHashMap<>()
                                        : StandInCollection.copy(old.payload());
                        for (Map.Entry<String, Value> e : update.entrySet()) {
                            if (!overwrite && PayloadPaths.isNull(e.getValue())) {
                                payload.remove(e.getKey());
                            } else {
                                payload.put(e.getKey(), e.getValue());
                            }
                        }
                        c.points.put(k, new StoredPoint(k, old.vectors(), payload, op));
                    }
                    return updated(op, wait, start);
                });
    }

    @Override
    public void createFieldIndex(
            CreateFieldIndexCollection request, StreamObserver<PointsOperationResponse> observer) {
        long start = System.nanoTime();
        Responses.reply(
                store,
                observer,
                () -> {
                    StandInCollection c = store.resolve(request.getCollectionName());
                    PayloadSchemaType type = schemaType(request);
                    PayloadSchemaInfo.Builder info =
                            PayloadSchemaInfo.newBuilder().setDataType(type);
                    if (request.hasFieldIndexParams()) {
                        PayloadIndexParams params = request.getFieldIndexParams();
                        if (params.hasIntegerIndexParams()) {
                            var ip = params.getIntegerIndexParams();
                            if (ip.hasLookup()
                                    && !ip.getLookup()
                                    && ip.hasRange()
                                    && !ip.getRange()) {
                                throw QdrantErrors.badRequest(
                                        "the 'lookup' and 'range' capabilities can't be both disabled");
                            }
                        }
                        info.setParams(params);
                    }
                    c.payloadIndexes.put(request.getFieldName(), info.build());
                    return updated(c.nextOperationId(), true, start);
                });
    }

    /** Each field type: the schema type it creates and the index params it accepts. */
    private static final Map<
                    FieldType, Map.Entry<PayloadSchemaType, PayloadIndexParams.IndexParamsCase>>
            FIELD_TYPES =
                    Map.of(
                            FieldType.FieldTypeKeyword,
                                    Map.entry(
                                            PayloadSchemaType.Keyword,
                                            PayloadIndexParams.IndexParamsCase
                                                    .KEYWORD_INDEX_PARAMS),
                            FieldType.FieldTypeInteger,
                                    Map.entry(
                                            PayloadSchemaType.Integer,
                                            PayloadIndexParams.IndexParamsCase
                                                    .INTEGER_INDEX_PARAMS),
                            FieldType.FieldTypeFloat,
                                    Map.entry(
                                            PayloadSchemaType.Float,
                                            PayloadIndexParams.IndexParamsCase.FLOAT_INDEX_PARAMS),
                            FieldType.FieldTypeGeo,
                                    Map.entry(
                                            PayloadSchemaType.Geo,
                                            PayloadIndexParams.IndexParamsCase.GEO_INDEX_PARAMS),
                            FieldType.FieldTypeText,
                                    Map.entry(
                                            PayloadSchemaType.Text,
                                            PayloadIndexParams.IndexParamsCase.TEXT_INDEX_PARAMS),
                            FieldType.FieldTypeBool,
                                    Map.entry(
                                            PayloadSchemaType.Bool,
                                            PayloadIndexParams.IndexParamsCase.BOOL_INDEX_PARAMS),
                            FieldType.FieldTypeDatetime,
                                    Map.entry(
                                            PayloadSchemaType.Datetime,
                                            PayloadIndexParams.IndexParamsCase
                                                    .DATETIME_INDEX_PARAMS),
                            FieldType.FieldTypeUuid,
                                    Map.entry(
                                            PayloadSchemaType.Uuid,
                                            PayloadIndexParams.IndexParamsCase.UUID_INDEX_PARAMS));

    private static PayloadSchemaType schemaType(CreateFieldIndexCollection request) {
        if (!request.hasFieldType()) {
            throw QdrantErrors.badRequest("field_type is required");
        }
        FieldType ft = request.getFieldType();
        var mapping = FIELD_TYPES.get(ft);
        if (mapping == null) {
            throw QdrantErrors.badRequest("unknown field_type " + ft);
        }
        PayloadIndexParams.IndexParamsCase given =
                request.hasFieldIndexParams()
                        ? request.getFieldIndexParams().getIndexParamsCase()
                        : PayloadIndexParams.IndexParamsCase.INDEXPARAMS_NOT_SET;
        if (given != PayloadIndexParams.IndexParamsCase.INDEXPARAMS_NOT_SET
                && given != mapping.getValue()) {
            throw QdrantErrors.invalidArgument(
                            "field_type (" + ft + ") and field_index_params do not match")
                    .asRuntimeException();
        }
        return mapping.getKey();
    }

    @Override
    public void deleteFieldIndex(
            DeleteFieldIndexCollection request, StreamObserver<PointsOperationResponse> observer) {
        long start = System.nanoTime();
        Responses.reply(
                store,
                observer,
                () -> {
                    StandInCollection c = store.resolve(request.getCollectionName());
                    c.payloadIndexes.remove(request.getFieldName());
                    return updated(c.nextOperationId(), true, start);
                });
    }

    // ---------------------------------------------------------------- reads

    @Override
    public void get(GetPoints request, StreamObserver<GetResponse> observer) {
        long start = System.nanoTime();
        Responses.reply(
                store,
                observer,
                () -> {
                    StandInCollection c = store.resolve(request.getCollectionName());
                    Set<PointKey> ids = new LinkedHashSet<>();
                    for (PointId id : request.getIdsList()) {
                        ids.add(PointKey.of(id));
                    }
                    GetResponse.Builder out = GetResponse.newBuilder();
                    for (PointKey k : ids) {
                        StoredPoint p = c.points.get(k);
                        if (p != null) {
                            out.addResult(
                                    retrieved(
                                            c,
                                            p,
                                            request.hasWithPayload()
                                                    ? request.getWithPayload()
                                                    : null,
                                            false,
                                            request.hasWithVectors()
                                                    ? request.getWithVectors()
                                                    : null));
                        }
                    }
                    return out.setTime(Responses.elapsed(start)).build();
                });
    }

    @Override
    public void scroll(ScrollPoints request, StreamObserver<ScrollResponse> observer) {
        long start = System.nanoTime();
        Responses.reply(
                store,
                observer,
                () -> {
                    StandInCollection c = store.resolve(request.getCollectionName());
                    if (request.hasLimit() && request.getLimit() < 1) {
                        throw QdrantErrors.validation(
                                "limit", "value 0 invalid, must be 1 or larger");
                    }
                    if (request.hasOrderBy()) {
                        PayloadSchemaInfo index =
                                c.payloadIndexes.get(request.getOrderBy().getKey());
                        if (index == null) {
                            throw QdrantErrors.badInput(
                                    "No range index for `order_by` key: "
                                            + request.getOrderBy().getKey());
                        }
                        throw QdrantErrors.unimplemented("scroll with order_by");
                    }
                    Filter filter = request.getFilter();
                    FilterEvaluator.validate(filter);
                    int limit = request.hasLimit() ? request.getLimit() : DEFAULT_LIMIT;
                    Map<PointKey, StoredPoint> from =
                            request.hasOffset()
                                    ? c.points.tailMap(PointKey.of(request.getOffset()), true)
                                    : c.points;
                    ScrollResponse.Builder out = ScrollResponse.newBuilder();
                    int taken = 0;
                    for (StoredPoint p : from.values()) {
                        if (!FilterEvaluator.matches(filter, p.id(), p.payload())) {
                            continue;
                        }
                        if (taken == limit) {
                            out.setNextPageOffset(p.id().toPointId());
                            break;
                        }
                        out.addResult(
                                retrieved(
                                        c,
                                        p,
                                        request.hasWithPayload() ? request.getWithPayload() : null,
                                        true,
                                        request.hasWithVectors()
                                                ? request.getWithVectors()
                                                : null));
                        taken++;
                    }
                    return out.setTime(Responses.elapsed(start)).build();
                });
    }

    @Override
    public void count(CountPoints request, StreamObserver<CountResponse> observer) {
        long start = System.nanoTime();
        Responses.reply(
                store,
                observer,
                () -> {
                    StandInCollection c = store.resolve(request.getCollectionName());
                    FilterEvaluator.validate(request.getFilter());
                    return CountResponse.newBuilder()
                            .setResult(
                                    CountResult.newBuilder()
                                            .setCount(c.filtered(request.getFilter()).size()))
                            .setTime(Responses.elapsed(start))
                            .build();
                });
    }

    @Override
    public void search(SearchPoints request, StreamObserver<SearchResponse> observer) {
        long start = System.nanoTime();
        Responses.reply(
                store,
                observer,
                () -> {
                    StandInCollection c = store.resolve(request.getCollectionName());
                    if (request.getLimit() < 1) {
                        throw QdrantErrors.validation(
                                "limit", "value 0 invalid, must be 1 or larger");
                    }
                    String using =
                            request.hasVectorName()
                                    ? request.getVectorName()
                                    : StandInCollection.DEFAULT_VECTOR;
                    List<ScoredPoint> hits =
                            nearest(
                                    c,
                                    using,
                                    request.getVectorList(),
                                    request.getFilter(),
                                    request.hasScoreThreshold()
                                            ? request.getScoreThreshold()
                                            : null,
                                    (int) request.getLimit(),
                                    request.hasOffset() ? (int) request.getOffset() : 0,
                                    request.hasWithPayload() ? request.getWithPayload() : null,
                                    request.hasWithVectors() ? request.getWithVectors() : null);
                    return SearchResponse.newBuilder()
                            .addAllResult(hits)
                            .setTime(Responses.elapsed(start))
                            .build();
                });
    }

    @Override
    public void query(QueryPoints request, StreamObserver<QueryResponse> observer) {
        long start = System.nanoTime();
        Responses.reply(
                store,
                observer,
                () -> {
                    StandInCollection c = store.resolve(request.getCollectionName());
                    if (request.hasLimit() && request.getLimit() < 1) {
                        throw QdrantErrors.validation(
                                "limit", "value 0 invalid, must be 1 or larger");
                    }
                    if (request.getPrefetchCount() > 0 || request.hasLookupFrom()) {
                        throw QdrantErrors.unimplemented("prefetch/lookup_from in query");
                    }
                    int limit = request.hasLimit() ? (int) request.getLimit() : DEFAULT_LIMIT;
                    int offset = request.hasOffset() ? (int) request.getOffset() : 0;
                    WithPayloadSelector withPayload =
                            request.hasWithPayload() ? request.getWithPayload() : null;
                    WithVectorsSelector withVectors =
                            request.hasWithVectors() ? request.getWithVectors() : null;
                    String using =
                            request.hasUsing()
                                    ? request.getUsing()
                                    : StandInCollection.DEFAULT_VECTOR;
                    List<ScoredPoint> hits;
                    if (!request.hasQuery()) {
                        if (request.hasScoreThreshold()) {
                            throw QdrantErrors.badRequest(
                                    "A query is needed to use the score_threshold. Use `filter` instead.");
                        }
                        FilterEvaluator.validate(request.getFilter());
                        hits = new ArrayList<>();
                        for (StoredPoint p : c.filtered(request.getFilter())) {
                            hits.add(scored(c, p, 0f, withPayload, withVectors));
                        }
                        hits = page(hits, offset, limit);
                    } else {
                        var q = request.getQuery();
                        if (q.getVariantCase()
                                != io.qdrant.client.grpc.Points.Query.VariantCase.NEAREST) {
                            throw QdrantErrors.unimplemented("query variant " + q.getVariantCase());
                        }
                        List<Float> vector;
                        switch (q.getNearest().getVariantCase()) {
                            case DENSE:
                                vector = q.getNearest().getDense().getDataList();
                                break;
                            case ID:
                                {
                                    StoredPoint p =
                                            c.points.get(PointKey.of(q.getNearest().getId()));
                                    if (p == null) {
                                        throw QdrantErrors.notFound(
                                                "No point with id "
                                                        + PointKey.of(q.getNearest().getId())
                                                        + " found");
                                    }
                                    float[] stored = p.vectors().get(using);
                                    vector = new ArrayList<>();
                                    for (float f : stored) {
                                        vector.add(f);
                                    }
                                    break;
                                }
                            default:
                                throw QdrantErrors.unimplemented(
                                        "nearest input " + q.getNearest().getVariantCase());
                        }
                        hits =
                                nearest(
                                        c,
                                        using,
                                        vector,
                                        request.getFilter(),
                                        request.hasScoreThreshold()
                                                ? request.getScoreThreshold()
                                                : null,
                                        limit,
                                        offset,
                                        withPayload,
                                        withVectors);
                    }
                    return QueryResponse.newBuilder()
                            .addAllResult(hits)
                            .setTime(Responses.elapsed(start))
                            .build();
                });
    }

    private List<ScoredPoint> nearest(
            StandInCollection c,
            String using,
            List<Float> query,
            Filter filter,
            Float threshold,
            int limit,
            int offset,
            WithPayloadSelector withPayload,
            WithVectorsSelector withVectors) {
        FilterEvaluator.validate(filter);
        Distance distance = c.params(using).getDistance();
        float[] q = c.prepare(using, query);
        List<StoredPoint> candidates = new ArrayList<>();
        List<Float> scores = new ArrayList<>();
        for (StoredPoint p : c.filtered(filter)) {
            float[] stored = p.vectors().get(using);
            if (stored == null) {
                continue;
            }
            float s = Scoring.score(distance, q, stored);
            if (threshold != null && !Scoring.passes(distance, s, threshold)) {
                continue;
            }
            candidates.add(p);
            scores.add(s);
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            order.add(i);
        }
        Comparator<Integer> byScore = Comparator.comparingDouble(i -> scores.get(i));
        if (Scoring.higherIsBetter(distance)) {
            byScore = byScore.reversed();
        }
        order.sort(byScore.thenComparing(i -> candidates.get(i).id()));
        List<ScoredPoint> out = new ArrayList<>();
        for (int i : order) {
            out.add(scored(c, candidates.get(i), scores.get(i), withPayload, withVectors));
        }
        return page(out, offset, limit);
    }

    private static <T> List<T> page(List<T> all, int offset, int limit) {
        if (offset >= all.size()) {
            return List.of();
        }
        return all.subList(offset, Math.min(all.size(), offset + limit));
    }

    private ScoredPoint scored(
            StandInCollection c,
            StoredPoint p,
            float score,
            WithPayloadSelector withPayload,
            WithVectorsSelector withVectors) {
        ScoredPoint.Builder b =
                ScoredPoint.newBuilder()
                        .setId(p.id().toPointId())
                        .setScore(score)
                        .setVersion(p.version())
                        .putAllPayload(payloadFor(p, withPayload, false));
        VectorsOutput v = vectorsFor(c, p, withVectors);
        if (v != null) {
            b.setVectors(v);
        }
        return b.build();
    }

    private RetrievedPoint retrieved(
            StandInCollection c,
            StoredPoint p,
            WithPayloadSelector withPayload,
            boolean payloadByDefault,
            WithVectorsSelector withVectors) {
        RetrievedPoint.Builder b =
                RetrievedPoint.newBuilder()
                        .setId(p.id().toPointId())
                        .putAllPayload(payloadFor(p, withPayload, payloadByDefault));
        VectorsOutput v = vectorsFor(c, p, withVectors);
        if (v != null) {
            b.setVectors(v);
        }
        return b.build();
    }

    private static Map<String, Value> payloadFor(
            StoredPoint p, WithPayloadSelector selector, boolean byDefault) {
        if (selector == null) {
            return byDefault ? p.payload() : Map.of();
        }
        switch (selector.getSelectorOptionsCase()) {
            case ENABLE:
                return selector.getEnable() ? p.payload() : Map.of();
            case INCLUDE:
                {
                    Map<String, Value> out = new LinkedHashMap<>();
                    for (String f : selector.getInclude().getFieldsList()) {
                        Value v = p.payload().get(f);
                        if (v != null) {
                            out.put(f, v);
                        }
                    }
                    return out;
                }
            case EXCLUDE:
                {
                    Map<String, Value> out = new LinkedHashMap<>(p.payload());
                    selector.getExclude().getFieldsList().forEach(out::remove);
                    return out;
                }
            default:
                throw QdrantErrors.invalidArgument("No PayloadSelector").asRuntimeException();
        }
    }

    private static VectorsOutput vectorsFor(
            StandInCollection c, StoredPoint p, WithVectorsSelector selector) {
        if (selector == null) {
            return null;
        }
        Set<String> names;
        switch (selector.getSelectorOptionsCase()) {
            case ENABLE:
                if (!selector.getEnable()) {
                    return null;
                }
                names = p.vectors().keySet();
                break;
            case INCLUDE:
                names = new LinkedHashSet<>(selector.getInclude().getNamesList());
                break;
            default:
                return null;
        }
        if (c.vectorsConfig.hasParams()) {
            float[] v = p.vectors().get(StandInCollection.DEFAULT_VECTOR);
            return VectorsOutput.newBuilder().setVector(output(v)).build();
        }
        NamedVectorsOutput.Builder named = NamedVectorsOutput.newBuilder();
        for (String name : names) {
            float[] v = p.vectors().get(name);
            if (v != null) {
                named.putVectors(name, output(v));
            }
        }
        return VectorsOutput.newBuilder().setVectors(named).build();
    }

    private static VectorOutput output(float[] v) {
        DenseVector.Builder dense = DenseVector.newBuilder();
        for (float f : v) {
            dense.addData(f);
        }
        return VectorOutput.newBuilder().setDense(dense).build();
    }
}
