package io.discordrag.indexer.testing.data;

import io.discordrag.indexer.testing.data.SyntheticChat.Message;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class SyntheticChatTest {

    @Test
    void isDeterministicAndLooksLikeChat() {
        SyntheticChat.Dataset a = SyntheticChat.generate(SyntheticChat.Spec.of(20_000));
        SyntheticChat.Dataset b = SyntheticChat.generate(SyntheticChat.Spec.of(20_000));
        assertThat(a).isEqualTo(b);
        assertThat(a.messages()).hasSize(20_000);
        assertThat(a.messages().stream().map(Message::id).collect(Collectors.toSet()))
                .hasSize(20_000);

        List<Integer> words = new ArrayList<>();
        for (Message m : a.messages()) {
            words.add(m.content().split(" ").length);
        }
        words.sort(Integer::compare);
        assertThat(words.get(words.size() / 2)).as("median words").isBetween(4, 12);
        assertThat(words.get(words.size() * 99 / 100)).as("p99 words").isGreaterThan(30);

        // conversations: within a channel most gaps are under a minute, some are hours
        Map<Long, List<Message>> byChannel =
                a.messages().stream().collect(Collectors.groupingBy(Message::channelId));
        int shortGaps = 0;
        int longGaps = 0;
        for (List<Message> channel : byChannel.values()) {
            for (int i = 1; i < channel.size(); i++) {
                Duration gap =
                        Duration.between(
                                channel.get(i - 1).timestamp(), channel.get(i).timestamp());
                if (gap.compareTo(Duration.ofMinutes(1)) < 0) {
                    shortGaps++;
                } else if (gap.compareTo(Duration.ofMinutes(20)) >= 0) {
                    longGaps++;
                }
            }
        }
        assertThat(shortGaps).isGreaterThan(a.messages().size() / 2);
        assertThat(longGaps).isBetween(a.messages().size() / 40, a.messages().size() / 4);
        assertThat(new HashSet<>(byChannel.keySet())).hasSize(12);
        int busiest = byChannel.values().stream().mapToInt(List::size).max().orElseThrow();
        int quietest = byChannel.values().stream().mapToInt(List::size).min().orElseThrow();
        assertThat(busiest).isGreaterThan(3 * quietest);
    }
}
