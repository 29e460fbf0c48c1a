package io.discordrag.indexer.udf.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The {@code embed} CLI: text lines in, JSON lines out; bad arguments exit 2. */
class EmbedCliTest {

    @Test
    void writesOneJsonLinePerTextLine() throws Exception {
        String input = "This is an example sentence\n\nquote \" backslash \\ tab\t emoji 🔥 lone \ud800\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = EmbedCli.run(new String[] {"--batch-size", "2"},
                new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), out, new PrintStream(err));
        assertThat(code).as("stderr: %s", err).isZero();
        String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines).hasSize(3);
        ObjectMapper json = new ObjectMapper();
        JsonNode first = json.readTree(lines[0]);
        assertThat(first.get("text").asText()).isEqualTo("This is an example sentence");
        assertThat(first.get("vector")).hasSize(384);
        assertThat(first.get("vector").get(0).asDouble()).isCloseTo(0.0677, org.assertj.core.api.Assertions.within(1e-3));
        assertThat(json.readTree(lines[1]).get("text").asText()).isEmpty();
        assertThat(json.readTree(lines[2]).get("text").asText()).startsWith("quote \" backslash \\ tab\t emoji 🔥");
    }

    @Test
    void unknownOptionsExitWithTwoAndUsage() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = EmbedCli.run(new String[] {"--bogus"}, new ByteArrayInputStream(new byte[0]),
                new ByteArrayOutputStream(), new PrintStream(err));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("unknown option --bogus").contains("Usage: embed");
    }

    @Test
    void unknownModelIsAClearError() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = EmbedCli.run(new String[] {"--model", "gpt-9"}, new ByteArrayInputStream(new byte[0]),
                new ByteArrayOutputStream(), new PrintStream(err));
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("Unknown model 'gpt-9'").contains("all-MiniLM-L6-v2");
    }
}
