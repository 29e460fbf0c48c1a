package io.discordrag.indexer.job.search;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One guild-scoped search: the guild is required (there is no way to build a request without one),
 * channels optionally narrow it, {@code limit} caps the hits (default 5) and {@code threshold}
 * drops hits whose cosine score is not above it.
 */
public final class SearchRequest {

    public static final int DEFAULT_LIMIT = 5;

    private final long guildId;
    private final String query;
    private final List<Long> channelIds;
    private final int limit;
    private final Float threshold;

    private SearchRequest(Builder b) {
        this.guildId = b.guildId;
        this.query = b.query;
        this.channelIds = List.copyOf(b.channelIds);
        this.limit = b.limit;
        this.threshold = b.threshold;
    }

    /** A request for {@code query} within {@code guildId}. */
    public static Builder builder(long guildId, String query) {
        return new Builder(guildId, query);
    }

    public long guildId() {
        return guildId;
    }

    public String query() {
        return query;
    }

    public List<Long> channelIds() {
        return channelIds;
    }

    public int limit() {
        return limit;
    }

    public Optional<Float> threshold() {
        return Optional.ofNullable(threshold);
    }

    /** Builder; the guild and the query are given up front. */
    public static final class Builder {
        private final long guildId;
        private final String query;
        private List<Long> channelIds = List.of();
        private int limit = DEFAULT_LIMIT;
        private Float threshold;

        private Builder(long guildId, String query) {
            this.guildId = guildId;
            this.query = Objects.requireNonNull(query, "query cannot be null");
        }

        public Builder channels(List<Long> channelIds) {
            this.channelIds = Objects.requireNonNull(channelIds, "channelIds cannot be null");
            return this;
        }

        public Builder limit(int limit) {
            if (limit < 1 || limit > 1000) {
                throw new IllegalArgumentException(
                        "limit must be between 1 and 1000, got " + limit);
            }
            this.limit = limit;
            return this;
        }

        public Builder threshold(float threshold) {
            if (threshold < -1f || threshold > 1f || Float.isNaN(threshold)) {
                throw new IllegalArgumentException(
                        "threshold must be a cosine score in [-1, 1], got " + threshold);
            }
            this.threshold = threshold;
            return this;
        }

        public SearchRequest build() {
            return new SearchRequest(this);
        }
    }
}
