package io.discordrag.indexer.job.packaging;

import io.discordrag.indexer.job.IndexerConfig;
import io.discordrag.indexer.job.IndexerJob;
import io.discordrag.indexer.job.IndexerOptions;
import io.discordrag.indexer.job.JobMode;
import io.discordrag.indexer.job.e2e.ReportedMetrics;
import io.discordrag.indexer.udf.cli.CommandLine;

import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The files a user deploys with agree with the code: README's configuration reference lists exactly
 * the job's options with their defaults; the Kubernetes manifests parse and name the job jar, entry
 * class and only real options; docker-compose.yml references pinned images and files that exist,
 * keeps secrets out, and validates with {@code docker-compose config}.
 */
class DeploymentFilesTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Set<String> OPTION_KEYS =
            IndexerOptions.all().stream().map(ConfigOption::key).collect(Collectors.toSet());
    private static final String JAR_IN_IMAGE = "/opt/flink/usrlib/discord-rag-indexer-job.jar";

    private static String read(String file) throws IOException {
        return Files.readString(ROOT.resolve(file), StandardCharsets.UTF_8);
    }

    /**
     * The rows of README's "Configuration reference" table, in order: option → {default, meaning}
     * as written.
     */
    private static Map<String, List<String>> readmeReference() throws IOException {
        String readme = read("README.md");
        int start = readme.indexOf("\n## Configuration reference");
        assertThat(start).as("README has a Configuration reference section").isPositive();
        int end = readme.indexOf("\n## ", start + 1);
        Map<String, List<String>> rows = new LinkedHashMap<>();
        Matcher m =
                Pattern.compile("(?m)^\\| `([^`]+)` \\| `([^`]*)` \\| (.+) \\|$")
                        .matcher(readme.substring(start, end < 0 ? readme.length() : end));
        while (m.find()) {
            assertThat(rows.put(m.group(1), List.of(m.group(2), m.group(3))))
                    .as("option %s listed once", m.group(1))
                    .isNull();
        }
        return rows;
    }

    @Test
    void readmeConfigurationReferenceIsTheJobsOptionsWithTheirDefaultsAndMeanings()
            throws IOException {
        Map<String, List<String>> reference = readmeReference();
        assertThat(List.copyOf(reference.keySet()))
                .as("options in README's reference, in --help's order")
                .isEqualTo(IndexerOptions.all().stream().map(ConfigOption::key).toList());
        for (ConfigOption<?> o : IndexerOptions.all()) {
            assertThat(reference.get(o.key()).get(0))
                    .as("README default of %s", o.key())
                    .isEqualTo(CommandLine.defaultText(o));
            assertThat(reference.get(o.key()).get(1))
                    .as("README meaning of %s", o.key())
                    .isEqualTo(CommandLine.description(o).replace("|", "\\|"));
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void kubernetesManifestsParseAndNameTheJobJarEntryClassAndOnlyRealOptions() throws IOException {
        String readme = read("README.md");
        String dockerfile = read("deploy/Dockerfile");
        assertThat(readme).contains("`" + IndexerJob.class.getName() + "`");
        assertThat(dockerfile)
                .contains(
                        "job/target/discord-rag-indexer-job-"
                                + projectVersion()
                                + ".jar "
                                + JAR_IN_IMAGE);
        assertThat(readme).contains("discord-rag-indexer-job-" + projectVersion() + ".jar");

        List<Map<String, Object>> deployments = new ArrayList<>();
        try (var files = Files.list(ROOT.resolve("deploy/k8s"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                for (Object doc : new Yaml().loadAll(Files.readString(f))) {
                    Map<String, Object> d = (Map<String, Object>) doc;
                    assertThat(d)
                            .as("%s: a Kubernetes object", f)
                            .containsKeys("apiVersion", "kind", "metadata");
                    if ("FlinkDeployment".equals(d.get("kind"))) {
                        deployments.add(d);
                    }
                }
            }
        }
        assertThat(deployments).hasSizeGreaterThanOrEqualTo(2);
        Set<String> modes = new java.util.HashSet<>();
        for (Map<String, Object> d : deployments) {
            Map<String, Object> spec = (Map<String, Object>) d.get("spec");
            assertThat(spec.get("flinkVersion")).isEqualTo("v1_20");
            Map<String, Object> flinkConf = (Map<String, Object>) spec.get("flinkConfiguration");
            assertThat(flinkConf.get("classloader.parent-first-patterns.additional"))
                    .isEqualTo("ai.onnxruntime.;ai.djl.");
            Map<String, Object> job = (Map<String, Object>) spec.get("job");
            assertThat(job.get("jarURI")).isEqualTo("local://" + JAR_IN_IMAGE);
            assertThat(job.get("entryClass")).isEqualTo(IndexerJob.class.getName());
            List<String> args =
                    ((List<Object>) job.get("args")).stream().map(String::valueOf).toList();
            assertThat(args.size() % 2).as("args are --key value pairs: %s", args).isZero();
            Map<String, String> options = new LinkedHashMap<>();
            for (int i = 0; i < args.size(); i += 2) {
                assertThat(args.get(i)).startsWith("--");
                options.put(args.get(i).substring(2), args.get(i + 1));
            }
            assertThat(OPTION_KEYS)
                    .as("options of %s", d.get("metadata"))
                    .containsAll(options.keySet());
            // The job itself accepts them (a real parse: types, durations, secrets refused).
            IndexerConfig config = IndexerConfig.fromMap(options);
            modes.add(config.mode().name());
            if (config.mode() == JobMode.STREAMING) {
                assertThat(job.get("upgradeMode")).isEqualTo("savepoint");
            }
        }
        assertThat(modes).contains("STREAMING").containsAnyOf("REINDEX", "BACKFILL");
        // The compose stack's job options are real options too.
        for (String line : read("deploy/compose/job.properties").lines().toList()) {
            if (!line.isBlank() && !line.startsWith("#")) {
                assertThat(OPTION_KEYS).contains(line.substring(0, line.indexOf(':')).trim());
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void composeFileUsesPinnedImagesExistingFilesAndNoSecrets() throws IOException {
        String text = read("docker-compose.yml");
        Map<String, Object> compose = new Yaml().load(text);
        Map<String, Object> services = (Map<String, Object>) compose.get("services");
        assertThat(services)
                .containsKeys(
                        "postgres",
                        "qdrant",
                        "jobmanager",
                        "taskmanager",
                        "submit-job",
                        "prometheus",
                        "grafana");
        for (Map.Entry<String, Object> e : services.entrySet()) {
            Map<String, Object> service = (Map<String, Object>) e.getValue();
            String image = (String) service.get("image");
            assertThat(image).as("image of %s", e.getKey()).isNotNull();
            assertThat(image)
                    .as("image of %s has a pinned tag", e.getKey())
                    .matches("[^:]+:[0-9v][^:]*")
                    .doesNotEndWith(":latest");
            for (Object v : (List<Object>) service.getOrDefault("volumes", List.of())) {
                String volume = String.valueOf(v);
                if (volume.startsWith("./")) {
                    String local = volume.substring(2, volume.indexOf(':'));
                    assertThat(new File(ROOT.toFile(), local))
                            .as("%s mounts %s", e.getKey(), local)
                            .exists();
                }
            }
            Map<String, Object> build = (Map<String, Object>) service.get("build");
            if (build != null) {
                assertThat(ROOT.resolve(String.valueOf(build.get("dockerfile")))).exists();
            }
            Object environment = service.get("environment");
            if (environment instanceof Map<?, ?> env) {
                for (Map.Entry<?, ?> var : env.entrySet()) {
                    if (String.valueOf(var.getKey()).matches(".*(PASSWORD|API_KEY|SECRET).*")) {
                        assertThat(String.valueOf(var.getValue()))
                                .as("%s of %s comes from .env", var.getKey(), e.getKey())
                                .startsWith("${");
                    }
                }
            }
        }
        assertThat(read("deploy/Dockerfile")).contains("FROM flink:1.20.3-scala_2.12-java17");
        assertThat(read(".gitignore")).contains(".env");
    }

    /**
     * Every operator metric the dashboard queries is one the job's code names. Prometheus names a
     * metric {@code <label key or subgroup>_…_<name>}: each part must be a metric, label-key or
     * group constant of a class that registers metrics; a constant named {@code *_GROUP} is a
     * subgroup whose members are named at runtime ({@code <group>_<member>}). {@code
     * MetricsReferenceITCase} checks the same against a running job's registered metrics.
     */
    @Test
    void grafanaDashboardQueriesOnlyMetricsTheJobRegisters() throws Exception {
        Set<String> registered = new java.util.HashSet<>(Set.of("numRecordsSend"));
        Set<String> groups = new java.util.HashSet<>();
        for (String name :
                List.of(
                        "io.discordrag.indexer.job.session.Sessionizer",
                        "io.discordrag.indexer.job.session.ChangeInterpreter",
                        "io.discordrag.indexer.job.sink.qdrant.QdrantSinkWriter",
                        "io.discordrag.indexer.job.sink.jdbc.WriteBackCounter",
                        "io.discordrag.indexer.job.commit.ReleaseAfterCheckpoint",
                        "io.discordrag.indexer.udf.flink.EmbeddingMetrics",
                        "org.apache.flink.cdc.connectors.base.source.metrics.SourceReaderMetrics")) {
            Class<?> c = Class.forName(name);
            for (java.lang.reflect.Field f : c.getDeclaredFields()) {
                if (java.lang.reflect.Modifier.isStatic(f.getModifiers())
                        && f.getType() == String.class) {
                    f.setAccessible(true);
                    registered.add((String) f.get(null));
                    if (f.getName().endsWith("_GROUP")) {
                        groups.add((String) f.get(null));
                    }
                }
            }
        }
        String dashboard = read("deploy/grafana/dashboards/discord-rag-indexer.json");
        new org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(dashboard); // valid JSON
        Set<String> used = ReportedMetrics.queriedOperatorMetrics(dashboard);
        assertThat(used).hasSizeGreaterThan(10);
        for (String metric : used) {
            String[] parts = metric.split("_");
            boolean named =
                    java.util.Arrays.stream(parts).allMatch(registered::contains)
                            || (parts.length == 2 && groups.contains(parts[0]));
            assertThat(named)
                    .as("the dashboard queries %s; registered names: %s", metric, registered)
                    .isTrue();
        }
    }

    @Test
    void composeFileValidatesWithDockerCompose() throws Exception {
        // Debian's docker-compose package needs no Docker engine for `config`; .ci/run installs it.
        assumeTrue(
                onPath("docker-compose"),
                "docker-compose is not installed (apt-get install docker-compose); "
                        + ".ci/run installs it so CI always runs this check");
        Process p =
                new ProcessBuilder(
                                "docker-compose",
                                "--env-file",
                                ".env.example",
                                "-f",
                                "docker-compose.yml",
                                "config",
                                "-q")
                        .directory(ROOT.toFile())
                        .redirectErrorStream(true)
                        .start();
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(output).isZero();
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (new File(dir, command).canExecute()) {
                return true;
            }
        }
        return false;
    }

    private static String projectVersion() throws IOException {
        Matcher m =
                Pattern.compile(
                                "<artifactId>discord-rag-indexer-parent</artifactId>\\s*<version>([^<]+)</version>")
                        .matcher(read("job/pom.xml"));
        assertThat(m.find()).isTrue();
        return m.group(1);
    }
}
