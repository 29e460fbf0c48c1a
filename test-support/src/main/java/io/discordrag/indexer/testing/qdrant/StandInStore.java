package io.discordrag.indexer.testing.qdrant;

import java.util.Map;
import java.util.TreeMap;

/**
 * Everything the stand-in server holds: collections by name and aliases. It outlives a stop/restart
 * of the server, as a real Qdrant's storage outlives its process. Callers synchronise on the store.
 */
final class StandInStore {

    final Map<String, StandInCollection> collections = new TreeMap<>();
    final Map<String, String> aliases = new TreeMap<>();

    /** The collection a name or alias refers to; NOT_FOUND as Qdrant words it otherwise. */
    StandInCollection resolve(String nameOrAlias) {
        StandInCollection c = collections.get(nameOrAlias);
        if (c == null) {
            String target = aliases.get(nameOrAlias);
            if (target != null) {
                c = collections.get(target);
            }
        }
        if (c == null) {
            throw QdrantErrors.collectionNotFound(nameOrAlias);
        }
        return c;
    }

    void clear() {
        collections.clear();
        aliases.clear();
    }
}
