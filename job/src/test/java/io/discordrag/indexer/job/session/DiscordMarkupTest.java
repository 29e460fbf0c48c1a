package io.discordrag.indexer.job.session;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Discord markup as a reader sees it (DESIGN: session text). */
class DiscordMarkupTest {

    static final long ADA = 100000000000000005L;
    static final long BOB = 100000000000000006L;
    static final long GENERAL = 200000000000000001L;

    /** Ada and bob are known users, #general a channel of the guild. */
    static final DiscordMarkup.Names NAMES =
            new DiscordMarkup.Names() {
                final Map<Long, String> users = Map.of(ADA, "Ada", BOB, "bob");

                @Override
                public Optional<String> user(long userId) {
                    return Optional.ofNullable(users.get(userId));
                }

                @Override
                public Optional<String> channel(long channelId) {
                    return channelId == GENERAL ? Optional.of("general") : Optional.empty();
                }
            };

    static final Pattern SNOWFLAKE = Pattern.compile("\\d{17,20}");

    static DiscordMarkup.Rendered render(String text) throws Exception {
        return DiscordMarkup.render(text, NAMES);
    }

    @Test
    void userAndMemberMentionsBecomeTheDisplayName() throws Exception {
        DiscordMarkup.Rendered r = render("<@" + ADA + "> ask <@!" + BOB + ">, and <@" + ADA + ">");

        assertThat(r.text()).isEqualTo("@Ada ask @bob, and @Ada");
        assertThat(r.mentionedUserIds()).containsExactly(ADA, BOB);
        assertThat(r.misses()).isZero();
        assertThat(names(r)).containsExactly("Ada", "bob", "Ada");
    }

    @Test
    void channelEmojiTimestampRoleAndCommandMarkup() throws Exception {
        DiscordMarkup.Rendered r =
                render(
                        "see <#"
                                + GENERAL
                                + "> <:blobcat:300000000000000001> <a:party_parrot:300000000000000002>"
                                + " at <t:1700000000> (<t:1700000000:R>) on <t:1700000000:D>,"
                                + " ping <@&400000000000000001>, run </deploy prod:500000000000000001>");

        assertThat(r.text())
                .isEqualTo(
                        "see #general :blobcat: :party_parrot: at 2023-11-14 22:13 UTC"
                                + " (2023-11-14 22:13 UTC) on 2023-11-14, ping @role, run /deploy prod");
        assertThat(r.mentionedUserIds()).isEmpty();
        assertThat(names(r)).containsExactly("general");
        assertThat(r.misses()).isZero();
    }

    @Test
    void unicodeCommandNamesAndGuildNavigationLeaveNoSnowflake() throws Exception {
        assertThat(
                        render(
                                        "try </помощь:123456789012345678> or </café menu:123456789012345679>,"
                                                + " see <id:customize> and <id:linked-roles:123456789012345670>")
                                .text())
                .isEqualTo("try /помощь or /café menu, see Channels & Roles and Linked Roles");
    }

    @Test
    void unknownIdsBecomePlaceholdersAndAreCountedNeverTheSnowflake() throws Exception {
        long stranger = 100000000000000099L;
        DiscordMarkup.Rendered r =
                render(
                        "<@"
                                + stranger
                                + "> in <#200000000000000099> and <@99999999999999999999>"); // >2^64

        assertThat(r.text()).isEqualTo("@unknown-user in #unknown-channel and @unknown-user");
        assertThat(r.misses()).isEqualTo(3);
        assertThat(r.mentionedUserIds())
                .as("an unknown user is still mentioned (grouping reads it); an overflowing id not")
                .containsExactly(stranger);
        assertThat(r.nameSpans()).isEmpty();
    }

    @Test
    void malformedMarkupStaysAsWritten() throws Exception {
        for (String text :
                List.of(
                        "<@abc>",
                        "<@123",
                        "<#>",
                        "< @1>",
                        "<t:soon>",
                        "<t:1700000000:X>",
                        "<:no_id:>",
                        "a < b > c",
                        "<>",
                        "<t:9999999999999999>")) { // beyond JavaScript's date range
            assertThat(render(text).text()).as(text).isEqualTo(text);
        }
    }

    @Test
    void nestedMarkupRendersTheInnermostWellFormedPart() throws Exception {
        assertThat(render("<<@" + ADA + ">>").text()).isEqualTo("<@Ada>");
        assertThat(render("<@<@" + ADA + ">>").text()).isEqualTo("<@@Ada>");
        assertThat(render("<:x:<#" + GENERAL + ">>").text()).isEqualTo("<:x:#general>");
    }

    @Test
    void aLongMessageFullOfMentionsKeepsNoSnowflakeAndEverySpanIsAName() throws Exception {
        StringBuilder sb = new StringBuilder();
        long[] ids = {ADA, BOB, 100000000000000077L};
        int mentions = 0;
        int unknown = 0;
        while (sb.length() < 2000 - 25) {
            long id = ids[mentions % 3];
            unknown += id == ids[2] ? 1 : 0;
            sb.append("<@").append(id).append('>').append(mentions++ % 2 == 0 ? " " : "");
        }
        DiscordMarkup.Rendered r = render(sb.toString());

        assertThat(SNOWFLAKE.matcher(r.text()).find()).as(r.text()).isFalse();
        assertThat(r.mentionedUserIds()).containsExactly(ADA, BOB, 100000000000000077L);
        assertThat(r.misses()).isEqualTo(unknown);
        assertThat(names(r)).hasSize(mentions - unknown).containsOnly("Ada", "bob");
    }

    @Test
    void aNameIsKeptOnOneLine() throws Exception {
        DiscordMarkup.Names multiLine =
                new DiscordMarkup.Names() {
                    @Override
                    public Optional<String> user(long userId) {
                        return Optional.of("two\nlines");
                    }

                    @Override
                    public Optional<String> channel(long channelId) {
                        return Optional.empty();
                    }
                };
        assertThat(DiscordMarkup.render("hi <@" + ADA + ">", multiLine).text())
                .isEqualTo("hi @two lines");
    }

    @Test
    void textWithoutMarkupIsReturnedAsItIs() throws Exception {
        String text = "no markup here: 100000000000000005 is just a number";
        DiscordMarkup.Rendered r = render(text);
        assertThat(r.text()).isSameAs(text);
        assertThat(r.nameSpans()).isEmpty();
    }

    @Test
    void clippingSpansToACutText() {
        int[] spans = {1, 4, 10, 15, 20, 22};
        assertThat(DiscordMarkup.clip(spans, 12)).containsExactly(1, 4, 10, 12);
        assertThat(DiscordMarkup.clip(spans, 10)).containsExactly(1, 4);
        assertThat(DiscordMarkup.clip(spans, 30)).containsExactly(spans);
    }

    static List<String> names(DiscordMarkup.Rendered r) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < r.nameSpans().length; i += 2) {
            out.add(r.text().substring(r.nameSpans()[i], r.nameSpans()[i + 1]));
        }
        return out;
    }
}
