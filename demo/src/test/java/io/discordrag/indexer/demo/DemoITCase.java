package io.discordrag.indexer.demo;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo command, as a user runs it (its own JVM, the demo's main class and arguments, exit code
 * and stdout), on a small sample: searches return results, the edit and the delete reach the index,
 * verify is clean, exit 0. {@code ./demo.sh} adds only the Maven build in front of this.
 */
class DemoITCase {

    @Test
    void theDemoIndexesSearchesFollowsAnEditAndADeleteAndVerifiesClean() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        assertThat(System.getProperty("demo.classpath"))
                .as("the demo's runtime classpath (set by the pom)")
                .isNotBlank();
        Path output = Files.createTempFile("demo", ".out");
        List<String> command =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Xmx2g",
                                "--add-opens",
                                "java.base/java.util=ALL-UNNAMED",
                                "--add-opens",
                                "java.base/java.lang=ALL-UNNAMED",
                                "-cp",
                                System.getProperty("demo.classpath"),
                                Demo.class.getName(),
                                "--messages",
                                "800",
                                "--ui-port",
                                Integer.toString(port)));
        ProcessBuilder pb =
                new ProcessBuilder(command)
                        .redirectErrorStream(false)
                        .redirectOutput(output.toFile())
                        .redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment()
                .remove("QDRANT_URL"); // the stand-in path; a real Qdrant is the user's choice
        Process demo = pb.start();
        boolean ended = demo.waitFor(10, TimeUnit.MINUTES);
        if (!ended) {
            demo.destroyForcibly();
        }
        String out = Files.readString(output, StandardCharsets.UTF_8);
        System.out.println(out);
        assertThat(ended).as("demo ended within 10 minutes").isTrue();
        assertThat(demo.exitValue()).as(out).isZero();

        assertThat(out)
                .contains("Qdrant: the in-process Qdrant STAND-IN")
                .contains("Web UI at http://localhost:" + port + " ")
                .containsPattern("metrics per operator; answering\\)")
                .containsPattern("progress +\\d+ s: (\\d+)/\\1 messages indexed in \\d+ points")
                .containsPattern("search in guild \\d+ for \"[^\"]+\": [1-3] results")
                .doesNotContain(": 0 results")
                .containsPattern(
                        "edit: point [0-9a-f-]+ re-embedded with the new text after [0-9.]+ s")
                .containsPattern("edited session found \\(rank [1-3]\\)")
                .containsPattern("delete: point [0-9a-f-]+ no longer contains it")
                .containsPattern(
                        "verify: exit 0, clean — \\d+ messages in \\d+ channels of 2 guilds, \\d+ points checked")
                .containsPattern("demo finished OK in \\d+ s");
        new File(output.toString()).delete();
    }
}
