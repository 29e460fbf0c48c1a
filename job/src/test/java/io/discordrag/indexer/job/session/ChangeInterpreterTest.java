package io.discordrag.indexer.job.session;

import io.discordrag.indexer.job.source.MessageRow;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class ChangeInterpreterTest {

    private static MessageRow row(String content, boolean deleted, String pointId) {
        return new MessageRow(
                1, 2, 3, 4, content, Instant.parse("2024-05-01T10:00:00Z"), null, deleted, pointId);
    }

    @Test
    void recognisesTheJobsOwnWriteBackOnly() {
        String p = "5f0c8f6e-0000-5000-8000-000000000001";
        assertThat(
                        ChangeInterpreter.onlyPointIdChanged(
                                row("hi", false, null), row("hi", false, p)))
                .isTrue();
        assertThat(
                        ChangeInterpreter.onlyPointIdChanged(
                                row("hi", false, p), row("hi", false, null)))
                .isTrue();
        assertThat(
                        ChangeInterpreter.onlyPointIdChanged(
                                row("hi", false, null), row("hi!", false, p)))
                .as("an edit racing the write-back is an edit")
                .isFalse();
        assertThat(ChangeInterpreter.onlyPointIdChanged(row("hi", false, p), row("hi", true, p)))
                .isFalse();
        assertThat(ChangeInterpreter.onlyPointIdChanged(row("hi", false, p), row("hi", false, p)))
                .as("an update that changes nothing is a duplicate, not a write-back")
                .isFalse();
        assertThat(ChangeInterpreter.onlyPointIdChanged(null, row("hi", false, p))).isFalse();
    }
}
