package io.discordrag.indexer.job.session;

/**
 * Makes message text safe to tokenize and store: unpaired UTF-16 surrogates (which no tokenizer or
 * Qdrant payload accepts) become U+FFFD, and text beyond {@link #MAX_CHARS} is cut at a code point
 * boundary. Characters outside the BMP (emoji) are kept as they are.
 */
public final class ContentSanitizer {

    /**
     * Discord's longest message (Nitro) is 4,000 characters; anything longer is not a chat message.
     */
    public static final int MAX_CHARS = 4000;

    private ContentSanitizer() {}

    /** Whether the text has an unpaired surrogate. */
    public static boolean hasUnpairedSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                } else {
                    return true;
                }
            } else if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    /** The text with every unpaired surrogate replaced by U+FFFD. */
    public static String replaceUnpairedSurrogates(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c)
                    && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                sb.append(c).append(text.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                sb.append('\uFFFD');
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** The first {@link #MAX_CHARS} characters, never ending in half a surrogate pair. */
    public static String truncate(String text) {
        if (text.length() <= MAX_CHARS) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(MAX_CHARS - 1)) ? MAX_CHARS - 1 : MAX_CHARS;
        return text.substring(0, end);
    }
}
