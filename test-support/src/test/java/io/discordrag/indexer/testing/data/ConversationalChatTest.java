package io.discordrag.indexer.testing.data;

import io.discordrag.indexer.testing.data.ConversationalChat.Generated;
import io.discordrag.indexer.testing.data.ConversationalChat.Truth;
import io.discordrag.indexer.testing.data.SyntheticChat.Message;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The realistic chat generator keeps the rates and the truth it states. */
class ConversationalChatTest {

    static final Generated DATA = ConversationalChat.generate(ConversationalChat.Spec.of(20_000));

    @Test
    void theSameSpecGivesTheSameDatasetAndAnotherSeedAnotherOne() {
        Generated again = ConversationalChat.generate(ConversationalChat.Spec.of(20_000));
        assertThat(again.dataset().messages()).isEqualTo(DATA.dataset().messages());
        assertThat(again.truth()).isEqualTo(DATA.truth());
        assertThat(
                        ConversationalChat.generate(ConversationalChat.Spec.of(20_000).withSeed(7))
                                .dataset()
                                .messages())
                .isNotEqualTo(DATA.dataset().messages());
    }

    @Test
    void everyMessageHasItsTruthAndRespondsToAnEarlierMessageOfItsConversation() {
        List<Message> messages = DATA.dataset().messages();
        assertThat(messages.size()).isBetween(19_900, 20_100);
        Map<Long, Message> byId = new HashMap<>();
        messages.forEach(m -> byId.put(m.id(), m));
        assertThat(byId).as("ids are unique").hasSameSizeAs(messages);
        for (Message m : messages) {
            Truth t = DATA.truth().get(m.id());
            assertThat(t).as("truth of %s", m).isNotNull();
            if (t.respondsTo() == 0) {
                continue;
            }
            Message parent = byId.get(t.respondsTo());
            assertThat(parent).isNotNull();
            assertThat(DATA.truth().get(parent.id()).conversation()).isEqualTo(t.conversation());
            assertThat(parent.timestamp()).isBefore(m.timestamp());
            assertThat(parent.channelId()).isEqualTo(m.channelId());
            if (m.replyToId() != null) {
                assertThat(m.replyToId()).isEqualTo(t.respondsTo());
            }
        }
    }

    @Test
    void signalsComeAtTheStatedRates() {
        int responses = 0;
        int replies = 0;
        int mentions = 0;
        int neither = 0;
        int bursts = 0;
        Map<Long, Message> byId = new HashMap<>();
        DATA.dataset().messages().forEach(m -> byId.put(m.id(), m));
        for (Message m : DATA.dataset().messages()) {
            Truth t = DATA.truth().get(m.id());
            if (t.respondsTo() == 0) {
                continue;
            }
            if (byId.get(t.respondsTo()).authorId() == m.authorId()) {
                bursts++; // a same-author continuation: no signal by design
                continue;
            }
            responses++;
            boolean reply = m.replyToId() != null;
            boolean mention = m.content().startsWith("<@");
            replies += reply ? 1 : 0;
            mentions += mention ? 1 : 0;
            neither += !reply && !mention ? 1 : 0;
        }
        assertThat(replies / (double) responses).isCloseTo(0.30, within(0.02));
        assertThat(mentions / (double) responses).isCloseTo(0.20, within(0.02));
        assertThat(neither / (double) responses).isCloseTo(0.56, within(0.03));
        assertThat(bursts / (double) DATA.dataset().messages().size())
                .isCloseTo(0.15 / 1.15, within(0.02));
    }

    @Test
    void busyChannelsInterleaveSeveralConversations() {
        long busiest = DATA.dataset().channels().get(0).id();
        List<Message> channel = new ArrayList<>();
        for (Message m : DATA.dataset().messages()) {
            if (m.channelId() == busiest) {
                channel.add(m);
            }
        }
        int switches = 0;
        for (int i = 1; i < channel.size(); i++) {
            if (DATA.truth().get(channel.get(i).id()).conversation()
                    != DATA.truth().get(channel.get(i - 1).id()).conversation()) {
                switches++;
            }
        }
        assertThat(switches / (double) channel.size())
                .as("share of neighbouring messages from different conversations")
                .isGreaterThan(0.4);
    }

    @Test
    void aConversationKeepsToOneTopicAndItsPeople() {
        Map<Long, String> topic = new HashMap<>();
        Map<Long, Set<Long>> people = new HashMap<>();
        for (Message m : DATA.dataset().messages()) {
            Truth t = DATA.truth().get(m.id());
            assertThat(topic.computeIfAbsent(t.conversation(), k -> t.topic()))
                    .isEqualTo(t.topic());
            people.computeIfAbsent(t.conversation(), k -> new HashSet<>()).add(m.authorId());
        }
        assertThat(people.values()).allMatch(p -> p.size() <= 4);
        assertThat(new HashSet<>(topic.values())).hasSizeGreaterThan(10);
    }
}
