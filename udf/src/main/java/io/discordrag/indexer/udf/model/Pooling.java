package io.discordrag.indexer.udf.model;

/**
 * How a model's token embeddings become one sentence embedding (always L2-normalised afterwards).
 */
public enum Pooling {
    /** Mean over the tokens the attention mask keeps (sentence-transformers MiniLM). */
    MEAN,
    /** The first ([CLS]) token's embedding (BGE). */
    CLS
}
