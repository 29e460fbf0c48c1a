package io.discordrag.indexer.udf.batch;

/**
 * One text's embedding and how it was made: tokens fed to the model, whether the text was
 * truncated, the size of the batch it ran in and that batch's inference time.
 */
public record Embedding(
        float[] vector, int tokens, boolean truncated, int batchSize, long inferenceNanos) {}
