package io.discordrag.indexer.udf.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Fixed, seeded chat-like texts for tests and benchmarks. */
public final class ChatTexts {

    private static final String[] OPENERS = {
        "hey", "so", "honestly", "ok", "lol", "wait", "btw", "yeah", "hmm", "ngl"
    };
    private static final String[] SUBJECTS = {
        "the deploy",
        "my build",
        "the raid tonight",
        "this bug",
        "the new map",
        "postgres",
        "the bot",
        "that PR",
        "the patch notes",
        "our server",
        "the release",
        "the docs"
    };
    private static final String[] VERBS = {
        "is broken again",
        "finally works",
        "keeps timing out",
        "looks great",
        "needs another review",
        "crashed twice",
        "is way faster now",
        "ate all the memory",
        "got merged",
        "is scheduled for friday"
    };
    private static final String[] TAILS = {
        "any ideas?",
        "can someone check?",
        "no idea why",
        "pretty sure it's cache",
        "gonna restart it",
        "see logs in #ops",
        "thanks everyone",
        "brb",
        "who is on call?",
        "ship it"
    };

    private ChatTexts() {}

    /** {@code count} texts of roughly {@code words} words each (about 1.3 tokens a word). */
    public static List<String> generate(int count, int words, long seed) {
        Random r = new Random(seed);
        List<String> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            StringBuilder sb = new StringBuilder();
            while (wordCount(sb) < words) {
                sb.append(pick(r, OPENERS))
                        .append(' ')
                        .append(pick(r, SUBJECTS))
                        .append(' ')
                        .append(pick(r, VERBS))
                        .append(", ")
                        .append(pick(r, TAILS))
                        .append(' ');
            }
            out.add(trimToWords(sb.toString(), words));
        }
        return out;
    }

    private static String pick(Random r, String[] options) {
        return options[r.nextInt(options.length)];
    }

    private static int wordCount(CharSequence s) {
        return s.toString().isBlank() ? 0 : s.toString().trim().split("\\s+").length;
    }

    private static String trimToWords(String s, int words) {
        String[] parts = s.trim().split("\\s+");
        return String.join(" ", java.util.Arrays.copyOf(parts, Math.min(words, parts.length)));
    }
}
