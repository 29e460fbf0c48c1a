package io.discordrag.indexer.udf.flink;

import java.io.Serializable;
import java.util.function.Function;

/**
 * Picks the text to embed out of a record. Returning {@code null} means the record needs no
 * embedding (for example a delete travelling in order with the upserts): {@link
 * EmbeddingAsyncFunction} then passes it to the {@link ResultCombiner} with a {@code null} vector,
 * in its place in the stream.
 */
@FunctionalInterface
public interface TextExtractor<IN> extends Function<IN, String>, Serializable {}
