package io.discordrag.indexer.job.packaging;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks the shaded job jar that {@code mvn package} builds (runs in the integration-test phase,
 * after packaging): no test code, no stand-in, no embedded Postgres, no Flink runtime, no
 * signatures, merged service files, and Flink CDC's patched Debezium classes rather than the
 * originals.
 */
class JobJarITCase {

    private static ZipFile jar;
    private static List<String> entries;

    @BeforeAll
    static void open() throws IOException {
        String path = System.getProperty("job.jar");
        assertThat(path).as("system property job.jar (set by failsafe)").isNotNull();
        assertThat(Files.exists(Path.of(path))).as("%s exists", path).isTrue();
        jar = new ZipFile(path);
        entries = jar.stream().map(ZipEntry::getName).toList();
    }

    @Test
    void containsTheJobButNoTestCodeStandInOrEmbeddedPostgres() {
        assertThat(entries)
                .anyMatch(e -> e.startsWith("org/apache/flink/cdc/connectors/postgres/"));
        assertThat(entries).anyMatch(e -> e.startsWith("io/qdrant/client/"));
        assertThat(entries).noneMatch(e -> e.startsWith("io/discordrag/indexer/testing/"));
        assertThat(entries).noneMatch(e -> e.contains("StandIn"));
        assertThat(entries).noneMatch(e -> e.startsWith("io/zonky/"));
        assertThat(entries)
                .as("LangChain4j code (its weight jars are resource carriers only)")
                .noneMatch(e -> e.startsWith("dev/langchain4j/"));
        assertThat(entries)
                .contains(
                        "all-minilm-l6-v2.onnx",
                        "all-minilm-l6-v2-tokenizer.json",
                        "bge-small-en-v1.5-q.onnx");
        assertThat(entries).noneMatch(e -> e.startsWith("org/testcontainers/"));
        assertThat(entries).noneMatch(e -> e.startsWith("org/junit/"));
        assertThat(entries)
                .noneMatch(
                        e ->
                                e.startsWith("io/discordrag/")
                                        && (e.endsWith("Test.class")
                                                || e.endsWith("ITCase.class")));
        assertThat(entries).noneMatch(e -> e.startsWith("postgres-linux") || e.endsWith(".txz"));
    }

    @Test
    void packagesTheNativeLibraryJarsDeployDockerfileCopiesToFlinksLib() throws IOException {
        Path lib = Path.of(System.getProperty("job.jar")).resolveSibling("flink-lib");
        List<String> jars;
        try (var files = Files.list(lib)) {
            jars = files.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertThat(jars)
                .anyMatch(j -> j.startsWith("onnxruntime-"))
                .anyMatch(j -> j.startsWith("tokenizers-"))
                .anyMatch(j -> j.startsWith("api-"))
                .anyMatch(j -> j.startsWith("gson-"))
                .anyMatch(j -> j.startsWith("jna-"))
                .hasSize(5);
        // The Dockerfile copies exactly these and the jar, from where the build puts them.
        String dockerfile = Files.readString(Path.of("..", "deploy", "Dockerfile"));
        assertThat(dockerfile)
                .contains("COPY job/target/flink-lib/*.jar /opt/flink/lib/")
                .contains(
                        "COPY job/target/"
                                + Path.of(System.getProperty("job.jar")).getFileName()
                                + " ");
    }

    @Test
    void namesTheIndexerJobAsItsEntryClass() throws IOException {
        java.util.jar.Manifest manifest =
                new java.util.jar.Manifest(
                        jar.getInputStream(jar.getEntry("META-INF/MANIFEST.MF")));
        assertThat(manifest.getMainAttributes().getValue("Main-Class"))
                .isEqualTo("io.discordrag.indexer.job.IndexerJob");
        assertThat(entries).contains("io/discordrag/indexer/job/IndexerJob.class");
    }

    @Test
    void leavesFlinkItselfToTheCluster() {
        for (String pkg :
                List.of(
                        "org/apache/flink/runtime/",
                        "org/apache/flink/streaming/api/",
                        "org/apache/flink/api/common/",
                        "org/apache/flink/shaded/guava31/",
                        "org/slf4j/impl/",
                        "org/apache/logging/log4j/")) {
            assertThat(entries).as("no %s", pkg).noneMatch(e -> e.startsWith(pkg));
        }
    }

    @Test
    void hasNoSignatureFilesAndMergedServiceFiles() throws IOException {
        assertThat(entries).noneMatch(e -> e.matches("META-INF/[^/]*\\.(SF|DSA|RSA|EC)"));
        ZipEntry factories =
                jar.getEntry("META-INF/services/org.apache.flink.table.factories.Factory");
        assertThat(factories).as("Flink table factories service file").isNotNull();
        String text = new String(jar.getInputStream(factories).readAllBytes());
        // Both the CDC and the JDBC connector register factories: merged, not one overwriting the
        // other.
        assertThat(text)
                .contains("org.apache.flink.cdc.connectors.postgres")
                .contains("org.apache.flink.connector.jdbc");
    }

    @Test
    void bundlesFlinkCdcsPatchedDebeziumClasses() throws Exception {
        int compared = 0;
        for (Path cdcJar : DebeziumPatchPrecedenceTest.cdcJars()) {
            try (ZipFile cdc = new ZipFile(cdcJar.toFile())) {
                for (String entry : DebeziumPatchPrecedenceTest.patchedClasses(cdcJar)) {
                    ZipEntry shaded = jar.getEntry(entry);
                    assertThat(shaded).as("%s in the job jar", entry).isNotNull();
                    assertThat(bytes(jar, shaded))
                            .as("%s is Flink CDC's copy", entry)
                            .isEqualTo(bytes(cdc, cdc.getEntry(entry)));
                    compared++;
                }
            }
        }
        assertThat(compared).isGreaterThan(5);
    }

    private static byte[] bytes(ZipFile zip, ZipEntry entry) throws IOException {
        try (InputStream in = zip.getInputStream(entry)) {
            return in.readAllBytes();
        }
    }
}
