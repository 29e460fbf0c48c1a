package io.discordrag.indexer.job.session;

import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.LongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders Discord's message markup as a reader (and the model) should see it (DESIGN: session
 * text): {@code <@id>} and {@code <@!id>} become {@code @DisplayName}, {@code <#id>} becomes {@code
 * #channel-name} (only for a channel of the message's own guild), {@code <:name:id>} and {@code
 * <a:name:id>} become {@code :name:}, {@code <t:unix[:style]>} becomes the UTC time, {@code
 * </name:id>} becomes {@code /name}, guild navigation ({@code <id:customize>} …) its label. Role
 * mentions and ids that the directory does not know become short placeholders ({@code @role},
 * {@code @unknown-user}, {@code #unknown-channel}): a snowflake never reaches the text. Anything
 * that is not well-formed markup stays as written.
 *
 * <p>Pure: names come from a {@link Names} lookup (in the job, PostgreSQL through a cache). The
 * result also lists the users mentioned (for grouping) and where in the text the looked-up names
 * stand, so a comparison can ignore names changed by a later rename, as it ignores author names.
 */
public final class DiscordMarkup {

    static final String UNKNOWN_USER = "unknown-user";
    static final String UNKNOWN_CHANNEL = "unknown-channel";
    static final String ROLE = "role";

    /** Guild navigation ({@code <id:…>}) as Discord labels it. */
    static final java.util.Map<String, String> NAVIGATION =
            java.util.Map.of(
                    "customize", "Channels & Roles",
                    "browse", "Browse Channels",
                    "guide", "Server Guide",
                    "linked-roles", "Linked Roles");

    static final DateTimeFormatter DATE_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);
    static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);

    /** Discord's bounds for {@code <t:…>}: ±8.64e15 ms, as JavaScript dates. */
    static final long MAX_UNIX_SECONDS = 8_640_000_000_000L;

    private static final Pattern MARKUP =
            Pattern.compile(
                    "<(?:@!?(?<user>\\d{1,20})"
                            + "|@&(?<role>\\d{1,20})"
                            + "|#(?<channel>\\d{1,20})"
                            + "|a?:(?<emoji>\\w{1,32}):\\d{1,20}"
                            + "|t:(?<time>-?\\d{1,16})(?::(?<style>[tTdDfFR]))?"
                            + "|/(?<command>[-_\\p{L}\\p{N}\\p{M}]{1,32}(?: [-_\\p{L}\\p{N}\\p{M}]{1,32}){0,2}):\\d{1,20}"
                            + "|id:(?<nav>customize|browse|guide|linked-roles)(?::\\d{1,20})?)>");

    private DiscordMarkup() {}

    /** Names for ids found in markup; empty when unknown. */
    public interface Names {
        /** The user's display name. */
        Optional<String> user(long userId) throws SQLException;

        /** The channel's name, if it belongs to the guild of the message being rendered. */
        Optional<String> channel(long channelId) throws SQLException;

        /** Names from plain lookups (null: unknown), for callers with the directory in memory. */
        static Names of(LongFunction<String> users, LongFunction<String> channels) {
            return new Names() {
                @Override
                public Optional<String> user(long userId) {
                    return Optional.ofNullable(users.apply(userId));
                }

                @Override
                public Optional<String> channel(long channelId) {
                    return Optional.ofNullable(channels.apply(channelId));
                }
            };
        }
    }

    /**
     * A rendered text.
     *
     * @param text the text with markup rendered
     * @param mentionedUserIds the users mentioned, ascending, each once
     * @param nameSpans start and end (exclusive) offsets in {@code text} of every looked-up name,
     *     in pairs, ascending
     * @param misses mentions whose id the directory did not know (rendered as placeholders)
     */
    public record Rendered(String text, long[] mentionedUserIds, int[] nameSpans, int misses) {}

    /** Whether {@code text} may hold markup at all (the common case has none). */
    public static boolean mayContainMarkup(String text) {
        return text.indexOf('<') >= 0;
    }

    public static Rendered render(String text, Names names) throws SQLException {
        if (!mayContainMarkup(text)) {
            return new Rendered(text, new long[0], new int[0], 0);
        }
        Matcher m = MARKUP.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        TreeSet<Long> mentioned = new TreeSet<>(Long::compareUnsigned);
        List<Integer> spans = new ArrayList<>();
        int misses = 0;
        int last = 0;
        while (m.find()) {
            out.append(text, last, m.start());
            last = m.end();
            if (m.group("user") != null) {
                Long id = snowflake(m.group("user"));
                Optional<String> name = id == null ? Optional.empty() : names.user(id);
                if (id != null) {
                    mentioned.add(id);
                }
                misses += appendName(out, '@', name, UNKNOWN_USER, spans);
            } else if (m.group("role") != null) {
                out.append('@').append(ROLE);
            } else if (m.group("channel") != null) {
                Long id = snowflake(m.group("channel"));
                Optional<String> name = id == null ? Optional.empty() : names.channel(id);
                misses += appendName(out, '#', name, UNKNOWN_CHANNEL, spans);
            } else if (m.group("emoji") != null) {
                out.append(':').append(m.group("emoji")).append(':');
            } else if (m.group("time") != null) {
                long seconds = Long.parseLong(m.group("time"));
                if (Math.abs(seconds) > MAX_UNIX_SECONDS / 1000) {
                    out.append(m.group()); // Discord shows it as written too
                } else {
                    String style = m.group("style");
                    boolean dateOnly = "d".equals(style) || "D".equals(style);
                    out.append(
                            (dateOnly ? DATE : DATE_TIME).format(Instant.ofEpochSecond(seconds)));
                }
            } else if (m.group("command") != null) {
                out.append('/').append(m.group("command"));
            } else {
                out.append(NAVIGATION.get(m.group("nav")));
            }
        }
        out.append(text, last, text.length());
        long[] ids = mentioned.stream().mapToLong(Long::longValue).toArray();
        return new Rendered(
                out.toString(), ids, spans.stream().mapToInt(Integer::intValue).toArray(), misses);
    }

    /**
     * Appends {@code sigil} and the name, kept on one line (a name never breaks the line structure
     * of a session's text) and recorded in {@code spans}, or the placeholder when the name is
     * unknown; returns 1 for a placeholder (a miss), else 0.
     */
    private static int appendName(
            StringBuilder out,
            char sigil,
            Optional<String> name,
            String placeholder,
            List<Integer> spans) {
        out.append(sigil);
        if (name.isEmpty() || name.get().isBlank()) {
            out.append(placeholder);
            return 1;
        }
        spans.add(out.length());
        out.append(name.get().replace('\n', ' ').replace('\r', ' '));
        spans.add(out.length());
        return 0;
    }

    /** The id, or null when it does not fit 64 bits unsigned. */
    private static Long snowflake(String digits) {
        try {
            return Long.parseUnsignedLong(digits);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * {@code spans} of a text cut to {@code length}: spans past the end go, one across it ends
     * there.
     */
    static int[] clip(int[] spans, int length) {
        int n = 0;
        while (n < spans.length && spans[n] < length) {
            n += 2;
        }
        int[] out = java.util.Arrays.copyOf(spans, n);
        if (n > 0 && out[n - 1] > length) {
            out[n - 1] = length;
        }
        return out;
    }
}
