package io.discordrag.indexer.job.packaging;

import io.discordrag.indexer.udf.model.ModelRegistry;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Checks the shaded job jar that {@code mvn package} builds (runs in the integration-test phase,
 * after packaging): no test code, no stand-in, no embedded Postgres, no Flink runtime, no
 * signatures, merged service files, Flink CDC's patched Debezium classes rather than the originals;
 * exactly the selected models' weights, no native-library jars (they go to Flink's lib/), no
 * natives of other platforms than Linux, none of the Kafka Connect runtime; and, run as {@code
 * flink run} runs it, one clear line for a model it does not carry or missing native-library jars.
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
    void carriesTheWeightsOfExactlyTheSelectedModels() {
        List<String> expected = new ArrayList<>();
        for (String id : selectedModels()) {
            String base = id.toLowerCase(Locale.ROOT);
            expected.add(base + ".onnx");
            expected.add(base + "-tokenizer.json");
        }
        assertThat(selectedModels()).contains(ModelRegistry.DEFAULT_MODEL);
        assertThat(
                        entries.stream()
                                .filter(e -> e.endsWith(".onnx") || e.endsWith("-tokenizer.json"))
                                .toList())
                .containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void refusesAModelItDoesNotCarryNamingTheBuildSwitch() throws Exception {
        List<String> absent = new ArrayList<>(ModelRegistry.ids());
        absent.removeAll(selectedModels());
        assumeThat(absent).as("a model this build left out (not -Dall-models)").isNotEmpty();
        try (URLClassLoader jarOnly =
                new URLClassLoader(
                        new URL[] {jarPath().toUri().toURL()},
                        ClassLoader.getPlatformClassLoader())) {
            var builtIn =
                    jarOnly.loadClass(ModelRegistry.class.getName())
                            .getMethod("builtIn", String.class);
            for (String id : selectedModels()) {
                assertThat(builtIn.invoke(null, id)).as(id).isNotNull();
            }
            for (String id : absent) {
                InvocationTargetException e =
                        org.assertj.core.api.Assertions.catchThrowableOfType(
                                InvocationTargetException.class, () -> builtIn.invoke(null, id));
                assertThat(e.getCause())
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("'" + id + "' is not in this jar")
                        .hasMessageContaining("./mvnw package -Pmodel-" + id);
            }
        }
    }

    @Test
    void theJobStartedWithAModelItDoesNotCarryExitsWithOneLine() throws Exception {
        List<String> absent = new ArrayList<>(ModelRegistry.ids());
        absent.removeAll(selectedModels());
        assumeThat(absent).as("a model this build left out (not -Dall-models)").isNotEmpty();
        String model = absent.get(0);

        Run run = runJob(true, "--embedding.model", model);

        assertThat(run.exitCode).as(run.toString()).isEqualTo(2);
        assertThat(run.errorLines())
                .as(run.toString())
                .containsExactly(
                        "discord-rag-indexer: embedding.model: model '"
                                + model
                                + "' is not in this jar (its weights are not on the classpath):"
                                + " build the job jar with it, ./mvnw package -Pmodel-"
                                + model
                                + " (README \"Choosing the models\")");
    }

    @Test
    void theJobStartedWithoutTheNativeLibraryJarsExitsWithOneLineNamingThem() throws Exception {
        Run run = runJob(false);

        assertThat(run.exitCode).as(run.toString()).isEqualTo(1);
        assertThat(run.errorLines()).as(run.toString()).hasSize(1);
        assertThat(run.errorLines().get(0))
                .startsWith("discord-rag-indexer: The native-library jars [onnxruntime,")
                .contains("job/target/flink-lib/*.jar");
    }

    @Test
    void leavesTheNativeLibraryJarsToFlinksLibAndOtherPlatformsOut() {
        for (String pkg : List.of("ai/onnxruntime/", "ai/djl/", "native/lib/", "com/sun/jna/")) {
            assertThat(entries).as("no %s", pkg).noneMatch(e -> e.startsWith(pkg));
        }
        assertThat(entries).noneMatch(e -> e.contains(".dSYM/"));
        List<String> natives =
                entries.stream()
                        .filter(e -> e.matches(".*\\.(so|dll|dylib|jnilib)"))
                        .collect(Collectors.toList());
        // what is left: gRPC's TLS and epoll (Linux-only) natives for x86_64 and aarch64
        assertThat(natives)
                .isNotEmpty()
                .allMatch(
                        e ->
                                e.startsWith("META-INF/native/lib")
                                        && (e.contains("linux") || e.contains("epoll")),
                        "Linux");
    }

    @Test
    void leavesOutWhatDebeziumDragsInButTheJobNeverLoads() {
        assertThat(entries)
                .as("Debezium's classes and Kafka Connect's data API stay")
                .contains(
                        "io/debezium/connector/postgresql/PostgresConnectorConfig.class",
                        "org/apache/kafka/connect/data/Struct.class");
        for (String pkg :
                List.of(
                        "org/apache/kafka/connect/runtime/",
                        "org/apache/kafka/connect/file/",
                        "org/apache/kafka/connect/transforms/Cast",
                        "org/eclipse/jetty/",
                        "org/glassfish/",
                        "javax/ws/rs/",
                        "org/apache/log4j/",
                        "org/reflections/",
                        "org/apache/flink/cdc/runtime/",
                        "com/github/luben/zstd/",
                        "org/xerial/snappy/",
                        "net/jpountz/",
                        "org/apache/commons/lang3/",
                        "org/apache/commons/io/",
                        "org/apache/commons/compress/")) {
            assertThat(entries).as("no %s", pkg).noneMatch(e -> e.startsWith(pkg));
        }
    }

    @Test
    void packagesTheNativeLibraryJarsDeployDockerfileCopiesToFlinksLib() throws IOException {
        Path lib = jarPath().resolveSibling("flink-lib");
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

    /** The models this build selected: the default, and those whose profile set their flag. */
    private static List<String> selectedModels() {
        return ModelRegistry.ids().stream()
                .filter(
                        id ->
                                id.equals(ModelRegistry.DEFAULT_MODEL)
                                        || Boolean.getBoolean("job.jar.model." + id))
                .toList();
    }

    private static Path jarPath() {
        return Path.of(System.getProperty("job.jar"));
    }

    /**
     * Runs the jar's entry class as {@code flink run} does: the job jar first, then a Flink
     * installation's classes, here this test's classpath without the project's own classes, the
     * model weights, a log4j binding and (unless {@code withNativeLibraries}) the native-library
     * jars.
     */
    private static Run runJob(boolean withNativeLibraries, String... args) throws Exception {
        List<String> classpath = new ArrayList<>();
        classpath.add(jarPath().toString());
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String e = entry.replace(File.separatorChar, '/');
            boolean nativeLibraryJar =
                    e.contains("/com/microsoft/onnxruntime/")
                            || e.contains("/ai/djl/")
                            || e.contains("/net/java/dev/jna/");
            if (e.contains("/target/") // the modules' classes and test classes
                    || e.contains("/io/discordrag/")
                    || e.contains("/dev/langchain4j/")
                    || e.contains("/org/apache/logging/log4j/")
                    || (nativeLibraryJar && !withNativeLibraries)) {
                continue;
            }
            classpath.add(entry);
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(String.join(File.pathSeparator, classpath));
        command.add("io.discordrag.indexer.job.IndexerJob");
        command.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.PIPE).start();
        p.getOutputStream().close();
        // liveness bound: the refusals come before anything connects
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("IndexerJob exits").isTrue();
        return new Run(
                p.exitValue(),
                new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private record Run(int exitCode, String out, String err) {
        /** stderr without SLF4J's notice that it has no binding (Flink's lib/ would have one). */
        List<String> errorLines() {
            return err.lines().filter(l -> !l.startsWith("SLF4J:")).toList();
        }
    }

    private static byte[] bytes(ZipFile zip, ZipEntry entry) throws IOException {
        try (InputStream in = zip.getInputStream(entry)) {
            return in.readAllBytes();
        }
    }
}
