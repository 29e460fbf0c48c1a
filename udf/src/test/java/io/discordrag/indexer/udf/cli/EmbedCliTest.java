package io.discordrag.indexer.udf.cli;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code embed} CLI: text lines in, JSON lines out; the job's dialect; bad arguments exit 2
 * with one line.
 */
class EmbedCliTest {

    @Test
    void writesOneJsonLinePerTextLine() throws Exception {
        String input =
                "This is an example sentence\n\nquote \" backslash \\ tab\t emoji 🔥 lone \ud800\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code =
                EmbedCli.run(
                        new String[] {"--embedding.batch.max-size", "2"},
                        new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)),
                        out,
                        new PrintStream(err));
        assertThat(code).as("stderr: %s", err).isZero();
        String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines).hasSize(3);
        ObjectMapper json = new ObjectMapper();
        JsonNode first = json.readTree(lines[0]);
        assertThat(first.get("text").asText()).isEqualTo("This is an example sentence");
        assertThat(first.get("vector")).hasSize(384);
        assertThat(first.get("vector").get(0).asDouble())
                .isCloseTo(0.0677, org.assertj.core.api.Assertions.within(1e-3));
        assertThat(json.readTree(lines[1]).get("text").asText()).isEmpty();
        assertThat(json.readTree(lines[2]).get("text").asText())
                .startsWith("quote \" backslash \\ tab\t emoji 🔥");
    }

    private static String refused(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code =
                EmbedCli.run(
                        args,
                        new ByteArrayInputStream(new byte[0]),
                        new ByteArrayOutputStream(),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        String printed = err.toString(StandardCharsets.UTF_8);
        assertThat(code).as(printed).isEqualTo(2);
        assertThat(printed.lines()).as(printed).hasSize(1);
        assertThat(printed).startsWith("embed: ").doesNotContain("\tat ");
        return printed;
    }

    @ParameterizedTest(name = "--{0} {1}")
    @CsvSource({
        "embedding.model, gpt-9",
        "embedding.batch.max-size, 0",
        "embedding.batch.max-size, many",
        "input, /nonexistent/texts",
        "onnx, /nonexistent/model.onnx",
        "tokenizer, /nonexistent/tokenizer.json",
        "pooling, max",
        "max-tokens, 0",
        "max-tokens, long"
    })
    void aBadValueExitsTwoWithOneLineNamingTheKey(String key, String bad) {
        assertThat(refused("--" + key, bad)).contains(key);
    }

    @Test
    void everyOptionHasABadValueCase() {
        assertThat(EmbedOptions.all().stream().map(ConfigOption::key))
                .containsExactlyInAnyOrder(
                        "embedding.model",
                        "embedding.batch.max-size",
                        "input",
                        "onnx",
                        "tokenizer",
                        "pooling",
                        "max-tokens");
    }

    @Test
    void oldSpellingsNameTheKeyToUse() {
        assertThat(refused("--model", "x"))
                .contains("--model is no longer an option: use --embedding.model");
        assertThat(refused("--batch-size", "2")).contains("use --embedding.batch.max-size");
    }

    @Test
    void optionsComeFromAConfigFileToo(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("embed.properties");
        Files.writeString(file, "embedding.batch.max-size: 0\n");
        assertThat(refused("--config", file.toString())).contains("embedding.batch.max-size");
    }

    @Test
    void unknownOptionsExitWithTwoAndUsage() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code =
                EmbedCli.run(
                        new String[] {"--bogus"},
                        new ByteArrayInputStream(new byte[0]),
                        new ByteArrayOutputStream(),
                        new PrintStream(err));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("unknown option 'bogus'").contains("embed --help");
    }

    @Test
    void unknownModelIsAClearError() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code =
                EmbedCli.run(
                        new String[] {"--embedding.model", "gpt-9"},
                        new ByteArrayInputStream(new byte[0]),
                        new ByteArrayOutputStream(),
                        new PrintStream(err));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString())
                .contains("embedding.model: Unknown model 'gpt-9'")
                .contains("all-MiniLM-L6-v2");
    }
}
