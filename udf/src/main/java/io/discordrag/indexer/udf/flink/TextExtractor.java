package io.discordrag.indexer.udf.flink;

import java.io.Serializable;
import java.util.function.Function;

/** Picks the text to embed out of a record. Must not return null. */
@FunctionalInterface
public interface TextExtractor<IN> extends Function<IN, String>, Serializable {}
