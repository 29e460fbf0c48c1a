package io.discordrag.indexer.job.sink.qdrant;

import io.qdrant.client.QdrantClient;
import io.qdrant.client.grpc.Collections.AliasDescription;
import io.qdrant.client.grpc.Collections.AliasOperations;
import io.qdrant.client.grpc.Collections.CreateAlias;
import io.qdrant.client.grpc.Collections.DeleteAlias;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;

/**
 * Points a Qdrant alias at a collection in one {@code UpdateAliases} request: the delete of the old
 * mapping and the create of the new one are applied together, so a reader searching through the
 * alias sees either the old collection or the new one, never neither.
 */
public final class AliasSwitch {

    private AliasSwitch() {}

    /** The collection {@code alias} points to now, if it exists. */
    public static Optional<String> current(QdrantClient client, String alias) {
        try {
            for (AliasDescription a : client.listAliasesAsync().get()) {
                if (a.getAliasName().equals(alias)) {
                    return Optional.of(a.getCollectionName());
                }
            }
            return Optional.empty();
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "Cannot list Qdrant aliases: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while listing Qdrant aliases", e);
        }
    }

    /**
     * Makes {@code alias} point to {@code collection} (creating the alias if missing) and returns
     * the collection it pointed to before, if any. The collection must exist.
     */
    public static Optional<String> move(QdrantClient client, String alias, String collection) {
        Optional<String> before = current(client, alias);
        if (before.isPresent() && before.get().equals(collection)) {
            return before;
        }
        List<AliasOperations> actions = new ArrayList<>(2);
        before.ifPresent(
                old ->
                        actions.add(
                                AliasOperations.newBuilder()
                                        .setDeleteAlias(
                                                DeleteAlias.newBuilder().setAliasName(alias))
                                        .build()));
        actions.add(
                AliasOperations.newBuilder()
                        .setCreateAlias(
                                CreateAlias.newBuilder()
                                        .setAliasName(alias)
                                        .setCollectionName(collection))
                        .build());
        try {
            client.updateAliasesAsync(actions).get();
            return before;
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "Cannot move Qdrant alias '"
                            + alias
                            + "' from "
                            + before.map(c -> "collection '" + c + "'").orElse("nowhere")
                            + " to collection '"
                            + collection
                            + "': "
                            + e.getCause().getMessage(),
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while moving Qdrant alias " + alias, e);
        }
    }
}
