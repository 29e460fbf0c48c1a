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
        int n = ordered.size();
        // A guess from each line's own count (one tokenizer call per message, not one per message
        // per prefix), then checked against the whole chunk's count: two calls per chunk when the
        // guess is right, which it is for tokenizers that split on whitespace first (BERT's).
        int[] line = new int[n];
        for (int i = 0; i < n; i++) {
            line[i] = tokenCounter.applyAsInt(SessionTextRenderer.line(ordered.get(i)));
        }
        int header = tokenCounter.applyAsInt(SessionTextRenderer.header(channelName));
        List<List<SessionMessage>> chunks = new ArrayList<>();
        int start = 0;
        while (start < n) {
            int guess = start;
            long estimate = line[start];
            while (guess + 1 < n) {
                long next =
                        (guess == start ? header + line[start] - SPECIAL_TOKENS : estimate)
                                + line[guess + 1]
                                - SPECIAL_TOKENS;
                if (next > maxTokens) {
                    break;
                }
                estimate = next;
                guess++;
            }
            int end =
                    fits(channelName, ordered, start, guess, tokenCounter, maxTokens)
                                    && (guess + 1 == n
                                            || !fits(
                                                    channelName,
                                                    ordered,
                                                    start,
                                                    guess + 1,
                                                    tokenCounter,
                                                    maxTokens))
                            ? guess
                            : exactEnd(channelName, ordered, start, tokenCounter, maxTokens);
            chunks.add(new ArrayList<>(ordered.subList(start, end + 1)));
            start = end + 1;
        }
        return chunks;
    }

    /** The two tokens every count includes once ([CLS] and [SEP] for BERT models). */
    private static final int SPECIAL_TOKENS = 2;

    /** Whether messages {@code from..to} fit the budget (a single message always does). */
    private static boolean fits(
            String channelName,
            List<SessionMessage> ordered,
            int from,
            int to,
            ToIntFunction<String> tokenCounter,
            int maxTokens) {
        return to == from
                || tokenCounter.applyAsInt(
                                SessionTextRenderer.render(
                                        channelName, ordered.subList(from, to + 1)))
                        <= maxTokens;
    }

    /** The greedy end of the chunk starting at {@code from}, counting every prefix. */
    private static int exactEnd(
            String channelName,
            List<SessionMessage> ordered,
            int from,
            ToIntFunction<String> tokenCounter,
            int maxTokens) {
        int end = from;
        while (end + 1 < ordered.size()
                && fits(channelName, ordered, from, end + 1, tokenCounter, maxTokens)) {
            end++;
        }
        return end;
    }
}
