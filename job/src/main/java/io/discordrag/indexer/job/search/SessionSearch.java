package io.discordrag.indexer.job.search;

import io.discordrag.indexer.job.sink.qdrant.PayloadSchema;

import io.qdrant.client.QdrantClient;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.QueryPoints;
import io.qdrant.client.grpc.Points.ScoredPoint;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

import static io.qdrant.client.ConditionFactory.match;
import static io.qdrant.client.ConditionFactory.matchValues;
import static io.qdrant.client.QueryFactory.nearest;
import static io.qdrant.client.WithPayloadSelectorFactory.enable;

/**
 * Guild-scoped semantic search over the session collection: embeds the query with the same model as
 * the index and always filters on the request's guild (and channels, when given), so it never
 * returns another guild's sessions. Thread-safe if the embedder is.
 */
public final class SessionSearch {

    private final QdrantClient client;
    private final String collection;
    private final Function<String, float[]> embedder;

    /**
     * @param collection the collection or alias the index is read through
     * @param embedder the index's embedding model, e.g. {@code EmbeddingModel::embed}
     */
    public SessionSearch(
            QdrantClient client, String collection, Function<String, float[]> embedder) {
        this.client = client;
        this.collection = collection;
        this.embedder = embedder;
    }

    /** The guild filter every read path applies. */
    static Filter filter(SearchRequest request) {
        Filter.Builder filter =
                Filter.newBuilder().addMust(match(PayloadSchema.GUILD_ID, request.guildId()));
        if (!request.channelIds().isEmpty()) {
            filter.addMust(matchValues(PayloadSchema.CHANNEL_ID, request.channelIds()));
        }
        return filter.build();
    }

    public List<SearchHit> search(SearchRequest request) throws InterruptedException {
        QueryPoints.Builder query =
                QueryPoints.newBuilder()
                        .setCollectionName(collection)
                        .setQuery(nearest(embedder.apply(request.query())))
                        .setFilter(filter(request))
                        .setLimit(request.limit())
                        .setWithPayload(enable(true));
        request.threshold().ifPresent(query::setScoreThreshold);
        List<ScoredPoint> points;
        try {
            points = client.queryAsync(query.build()).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "Search in Qdrant collection '"
                            + collection
                            + "' for guild "
                            + request.guildId()
                            + " failed: "
                            + e.getCause().getMessage(),
                    e.getCause());
        }
        List<SearchHit> hits = new ArrayList<>(points.size());
        for (ScoredPoint p : points) {
            Map<String, Value> payload = p.getPayloadMap();
            long guild = integer(payload, PayloadSchema.GUILD_ID);
            if (guild != request.guildId()) {
                // Never happens with a faithful Qdrant; refuse to leak rather than trust it
                // blindly.
                throw new IllegalStateException(
                        "Qdrant returned point "
                                + p.getId().getUuid()
                                + " of guild "
                                + guild
                                + " for a search in guild "
                                + request.guildId());
            }
            hits.add(
                    new SearchHit(
                            UUID.fromString(p.getId().getUuid()),
                            p.getScore(),
                            guild,
                            integer(payload, PayloadSchema.CHANNEL_ID),
                            string(payload, PayloadSchema.START_TIME),
                            string(payload, PayloadSchema.END_TIME),
                            integers(payload, PayloadSchema.AUTHOR_IDS),
                            integers(payload, PayloadSchema.MESSAGE_IDS),
                            string(payload, PayloadSchema.CONTENT),
                            string(payload, PayloadSchema.MODEL),
                            PayloadSchema.conversationId(payload)));
        }
        return hits;
    }

    private static long integer(Map<String, Value> payload, String key) {
        Value v = payload.get(key);
        return v == null ? -1 : v.getIntegerValue();
    }

    private static String string(Map<String, Value> payload, String key) {
        Value v = payload.get(key);
        return v == null ? "" : v.getStringValue();
    }

    private static List<Long> integers(Map<String, Value> payload, String key) {
        Value v = payload.get(key);
        List<Long> out = new ArrayList<>();
        if (v != null) {
            v.getListValue().getValuesList().forEach(e -> out.add(e.getIntegerValue()));
        }
        return out;
    }
}
