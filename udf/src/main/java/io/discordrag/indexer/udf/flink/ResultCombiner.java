package io.discordrag.indexer.udf.flink;

import java.io.Serializable;

/** Builds the output record from an input record and its embedding vector (L2-normalised). */
@FunctionalInterface
public interface ResultCombiner<IN, OUT> extends Serializable {
    OUT combine(IN input, float[] vector);
}
