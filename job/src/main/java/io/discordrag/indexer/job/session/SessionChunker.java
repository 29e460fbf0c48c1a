package io.discordrag.indexer.job.session;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Splits a session into chunks of whole messages whose rendered text (see {@link
 * SessionTextRenderer}) fits the model's token budget, counted with the model's own tokenizer.
 * Greedy in (timestamp, id) order; a single message over the budget forms a chunk of its own (the
 * embedder truncates it). Every message lands in exactly one chunk, and the same session always
 * gives the same chunks.
 */
final class SessionChunker {

    private SessionChunker() {}

    /**
     * @param tokenCounter tokens of a text, special tokens included, without truncation (e.g.
     *     {@code TextTokenizer::countTokens})
     * @param maxTokens the budget per chunk (the model's maximum input length)
     */
    public static List<List<SessionMessage>> chunks(
            String channelName,
            List<SessionMessage> session,
            ToIntFunction<String> tokenCounter,
            int maxTokens) {
        if (maxTokens < 2) {
            throw new IllegalArgumentException(
                    "max tokens per chunk must be at least 2, got " + maxTokens);
        }
        List<SessionMessage> ordered = new ArrayList<>(session);
        ordered.sort(SessionMessage.ORDER);
        List<List<SessionMessage>> chunks = new ArrayList<>();
        List<SessionMessage> current = new ArrayList<>();
        for (SessionMessage m : ordered) {
            current.add(m);
            if (current.size() > 1
                    && tokenCounter.applyAsInt(SessionTextRenderer.render(channelName, current))
                            > maxTokens) {
                current.remove(current.size() - 1);
                chunks.add(current);
                current = new ArrayList<>();
                current.add(m);
            }
        }
        if (!current.isEmpty()) {
            chunks.add(current);
        }
        return chunks;
    }
}
