package io.discordrag.indexer.udf.model;

/**
 * One text as model input: token ids (special tokens included) and token type ids, already cut to
 * the model's maximum length; {@code truncated} tells whether anything was cut.
 */
public record Tokenized(long[] ids, long[] typeIds, boolean truncated) {

    public int length() {
        return ids.length;
    }
}
