package io.discordrag.indexer.job.sink.qdrant;

import java.io.Serializable;
import java.util.Objects;
import java.util.Optional;

/**
 * The collection the index lives in and its layout. Vectors are cosine and their size comes from
 * the embedding model. Multitenancy layout (DESIGN): per-tenant HNSW links ({@code payload_m}) and
 * no global graph ({@code m = 0}), since every search filters by guild.
 *
 * <p>Keys: {@code qdrant.collection} (discord_messages), {@code qdrant.alias} (none: readers search
 * the collection itself), {@code qdrant.hnsw.m} (0), {@code qdrant.hnsw.payload-m} (16). Writers
 * always address the collection itself, never the alias: a job whose alias was moved to another
 * collection (a re-index) keeps writing its own collection instead of mixing its vectors into the
 * new one.
 */
public final class QdrantCollectionOptions implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final String DEFAULT_COLLECTION = "discord_messages";
    public static final int DEFAULT_HNSW_M = 0;
    public static final int DEFAULT_HNSW_PAYLOAD_M = 16;

    private final String collection;
    private final String alias;
    private final int hnswM;
    private final int hnswPayloadM;

    private QdrantCollectionOptions(Builder b) {
        this.collection = b.collection;
        this.alias = b.alias;
        this.hnswM = b.hnswM;
        this.hnswPayloadM = b.hnswPayloadM;
    }

    public static Builder builder() {
        return new Builder();
    }

    public String collection() {
        return collection;
    }

    public Optional<String> alias() {
        return Optional.ofNullable(alias);
    }

    /** The name readers search: the alias when one is configured, else the collection. */
    public String readName() {
        return alias != null ? alias : collection;
    }

    public int hnswM() {
        return hnswM;
    }

    public int hnswPayloadM() {
        return hnswPayloadM;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof QdrantCollectionOptions)) {
            return false;
        }
        QdrantCollectionOptions that = (QdrantCollectionOptions) o;
        return hnswM == that.hnswM
                && hnswPayloadM == that.hnswPayloadM
                && collection.equals(that.collection)
                && Objects.equals(alias, that.alias);
    }

    @Override
    public int hashCode() {
        return Objects.hash(collection, alias, hnswM, hnswPayloadM);
    }

    @Override
    public String toString() {
        return "QdrantCollectionOptions{collection="
                + collection
                + ", alias="
                + alias
                + ", hnswM="
                + hnswM
                + ", hnswPayloadM="
                + hnswPayloadM
                + "}";
    }

    /** Builder with validated defaults. */
    public static final class Builder {
        private static final String FORBIDDEN = "<>:\"/\\|?*\0";

        private String collection = DEFAULT_COLLECTION;
        private String alias;
        private int hnswM = DEFAULT_HNSW_M;
        private int hnswPayloadM = DEFAULT_HNSW_PAYLOAD_M;

        private Builder() {}

        private static String checkName(String key, String name) {
            if (name == null || name.isEmpty() || name.length() > 255) {
                throw new IllegalArgumentException(
                        key + " must be 1 to 255 characters, got '" + name + "'");
            }
            for (char c : name.toCharArray()) {
                if (FORBIDDEN.indexOf(c) >= 0) {
                    throw new IllegalArgumentException(
                            key + " must not contain '" + c + "': " + name);
                }
            }
            return name;
        }

        public Builder collection(String collection) {
            this.collection = checkName("qdrant.collection", collection);
            return this;
        }

        /** Writes (and searches) go through this alias of the collection; null for none. */
        public Builder alias(String alias) {
            this.alias = alias == null ? null : checkName("qdrant.alias", alias);
            return this;
        }

        public Builder hnswM(int hnswM) {
            if (hnswM < 0) {
                throw new IllegalArgumentException("qdrant.hnsw.m must be >= 0, got " + hnswM);
            }
            this.hnswM = hnswM;
            return this;
        }

        public Builder hnswPayloadM(int hnswPayloadM) {
            if (hnswPayloadM < 0) {
                throw new IllegalArgumentException(
                        "qdrant.hnsw.payload-m must be >= 0, got " + hnswPayloadM);
            }
            this.hnswPayloadM = hnswPayloadM;
            return this;
        }

        public QdrantCollectionOptions build() {
            if (alias != null && alias.equals(collection)) {
                throw new IllegalArgumentException(
                        "qdrant.alias must differ from qdrant.collection: " + alias);
            }
            return new QdrantCollectionOptions(this);
        }
    }
}
