package io.discordrag.indexer.testing.qdrant;

import io.grpc.stub.StreamObserver;
import io.qdrant.client.grpc.Collections.AliasDescription;
import io.qdrant.client.grpc.Collections.AliasOperations;
import io.qdrant.client.grpc.Collections.ChangeAliases;
import io.qdrant.client.grpc.Collections.CollectionDescription;
import io.qdrant.client.grpc.Collections.CollectionExists;
import io.qdrant.client.grpc.Collections.CollectionExistsRequest;
import io.qdrant.client.grpc.Collections.CollectionExistsResponse;
import io.qdrant.client.grpc.Collections.CollectionOperationResponse;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.DeleteCollection;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.GetCollectionInfoRequest;
import io.qdrant.client.grpc.Collections.GetCollectionInfoResponse;
import io.qdrant.client.grpc.Collections.ListAliasesRequest;
import io.qdrant.client.grpc.Collections.ListAliasesResponse;
import io.qdrant.client.grpc.Collections.ListCollectionAliasesRequest;
import io.qdrant.client.grpc.Collections.ListCollectionsRequest;
import io.qdrant.client.grpc.Collections.ListCollectionsResponse;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.CollectionsGrpc;

import java.util.Map;
import java.util.TreeMap;

/** The {@code qdrant.Collections} service: create, info, list, exists, delete, aliases. */
final class CollectionsService extends CollectionsGrpc.CollectionsImplBase {

    private static final String FORBIDDEN_NAME_CHARS = "<>:\"/\\|?*\0";

    private final StandInStore store;

    CollectionsService(StandInStore store) {
        this.store = store;
    }

    static void validateName(String field, String name) {
        if (name.isEmpty() || name.length() > 255) {
            throw QdrantErrors.validation(field, "length must be between 1 and 255");
        }
        for (int i = 0; i < name.length(); i++) {
            if (FORBIDDEN_NAME_CHARS.indexOf(name.charAt(i)) >= 0) {
                throw QdrantErrors.validation(
                        field, "collection name cannot contain \"" + name.charAt(i) + "\" char");
            }
        }
    }

    @Override
    public void create(
            CreateCollection request, StreamObserver<CollectionOperationResponse> observer) {
        long start = System.nanoTime();
        Responses.reply(
                store,
                observer,
                () -> {
                    String name = request.getCollectionName();
                    validateName("collection_name", name);
                    if (!request.hasVectorsConfig()) {
                        throw QdrantErrors.unimplemented("collections without dense vectors");
                    }
                    Map<String, VectorParams> params =
                            request.getVectorsConfig().hasParams()
                                    ? Map.of("", request.getVectorsConfig().getParams())
                                    : request.getVectorsConfig().getParamsMap().getMapMap();
                    for (VectorParams p : params.values()) {
                        if (p.getSize() < 1 || p.getSize() > 65536) {
                            throw QdrantErrors.validation(
                                    "vectors_config.size", "value must be between 1 and 65536");
                        }
                        if (p.getDistance() == Distance.UnknownDistance
                                || p.getDistance() == Distance.UNRECOGNIZED) {
                            throw QdrantErrors.badInput("Unknown distance");
                        }
                    }
                    if (store.collections.containsKey(name)) {
                        throw QdrantErrors.alreadyExists(
                                "Collection `" + name + "` already exists!");
                    }
                    store.collections.put(
                            name,
                            new StandInCollection(
                                    name,
                                    request.getVectorsConfig(),
                                    request.getHnswConfig(),
                                    !request.hasOnDiskPayload() || request.getOnDiskPayload()));
                    return CollectionOperationResponse.newBuilder()
                            .setResult(true)
                            .setTime(Responses.elapsed(start))
                            .build();
                });
    }

    @Override
    public void get(
            GetCollectionInfoRequest request, StreamObserver<GetCollectionInfoResponse> observer) {
        long start = System.nanoTime();
        Responses.reply(
                store,
                observer,
                () ->
                        GetCollectionInfoResponse.newBuilder()
                                .setResult(store.resolve(request.getCollectionName()).info())
                                .setTime(Responses.elapsed(start))
                                .build());
    }

    @Override
    public void list(
            ListCollectionsRequest request, StreamObserver<ListCollectionsResponse> observer) {
        long start = System.nanoTime();
        Responses.reply(
                store,
                observer,
                () -> {
                    ListCollectionsResponse.Builder out = ListCollectionsResponse.newBuilder();
                    for (String name : store.collections.keySet()) {
                        out.addCollections(CollectionDescription.newBuilder().setName(name));
                    }
                    return out.setTime(Responses.elapsed(start)).build();
                });
    }

    @Override
    public void collectionExists(
            CollectionExistsRequest request, StreamObserver<CollectionExistsResponse> observer) {
        long start = System.nanoTime();
        Responses.reply(
                store,
                observer,
                () -> {
                    validateName("collection_name", request.getCollectionName());
                    boolean exists =
                            store.collections.containsKey(request.getCollectionName())
                                    || store.aliases.containsKey(request.getCollectionName());
                    return CollectionExistsResponse.newBuilder()
                            .setResult(CollectionExists.newBuilder().setExists(exists))
                            .setTime(Responses.elapsed(start))
                            .build();
                });
    }

    @Override
    public void delete(
            DeleteCollection request, StreamObserver<CollectionOperationResponse> observer) {
        long start = System.nanoTime();
        Responses.reply(
                store,
                observer,
                () -> {
                    validateName("collection_name", request.getCollectionName());
                    boolean existed = store.collections.remove(request.getCollectionName()) != null;
                    store.aliases
                            .values()
                            .removeIf(target -> target.equals(request.getCollectionName()));
                    return CollectionOperationResponse.newBuilder()
                            .setResult(existed)
                            .setTime(Responses.elapsed(start))
                            .build();
                });
    }

    @Override
    public void updateAliases(
            ChangeAliases request, StreamObserver<CollectionOperationResponse> observer) {
        long start = System.nanoTime();
        Responses.reply(
                store,
                observer,
                () -> {
                    // All actions apply together or not at all: readers never see a half-applied
                    // change.
                    Map<String, String> next = new TreeMap<>(store.aliases);
                    for (AliasOperations op : request.getActionsList()) {
                        switch (op.getActionCase()) {
                            case CREATE_ALIAS:
                                {
                                    String collection = op.getCreateAlias().getCollectionName();
                                    String alias = op.getCreateAlias().getAliasName();
                                    validateName("alias_name", alias);
                                    if (!store.collections.containsKey(collection)) {
                                        throw QdrantErrors.collectionNotFound(collection);
                                    }
                                    if (store.collections.containsKey(alias)) {
                                        throw QdrantErrors.alreadyExists(
                                                "Collection `" + alias + "` already exists!");
                                    }
                                    next.put(alias, collection);
                                    break;
                                }
                            case RENAME_ALIAS:
                                {
                                    String old = op.getRenameAlias().getOldAliasName();
                                    String target = next.remove(old);
                                    if (target == null) {
                                        throw QdrantErrors.notFound(
                                                "Alias " + old + " does not exists!");
                                    }
                                    validateName(
                                            "new_alias_name",
                                            op.getRenameAlias().getNewAliasName());
                                    next.put(op.getRenameAlias().getNewAliasName(), target);
                                    break;
                                }
                            case DELETE_ALIAS:
                                {
                                    String alias = op.getDeleteAlias().getAliasName();
                                    if (next.remove(alias) == null) {
                                        throw QdrantErrors.notFound(
                                                "Alias " + alias + " does not exists!");
                                    }
                                    break;
                                }
                            default:
                                break;
                        }
                    }
                    store.aliases.clear();
                    store.aliases.putAll(next);
                    return CollectionOperationResponse.newBuilder()
                            .setResult(true)
                            .setTime(Responses.elapsed(start))
                            .build();
                });
    }

    @Override
    public void listAliases(
            ListAliasesRequest request, StreamObserver<ListAliasesResponse> observer) {
        long start = System.nanoTime();
        Responses.reply(store, observer, () -> aliases(null, start));
    }

    @Override
    public void listCollectionAliases(
            ListCollectionAliasesRequest request, StreamObserver<ListAliasesResponse> observer) {
        long start = System.nanoTime();
        Responses.reply(
                store,
                observer,
                () -> {
                    store.resolve(request.getCollectionName());
                    return aliases(request.getCollectionName(), start);
                });
    }

    private ListAliasesResponse aliases(String collection, long start) {
        ListAliasesResponse.Builder out = ListAliasesResponse.newBuilder();
        for (Map.Entry<String, String> e : store.aliases.entrySet()) {
            if (collection == null || collection.equals(e.getValue())) {
                out.addAliases(
                        AliasDescription.newBuilder()
                                .setAliasName(e.getKey())
                                .setCollectionName(e.getValue()));
            }
        }
        return out.setTime(Responses.elapsed(start)).build();
    }
}
