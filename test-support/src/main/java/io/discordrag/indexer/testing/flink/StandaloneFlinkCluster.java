package io.discordrag.indexer.testing.flink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A Flink standalone session cluster of separate JVMs, run from a Flink installation directory
 * ({@code lib/}, {@code plugins/}) the way Flink's {@code bin/} scripts would run it: a JobManager
 * ({@code StandaloneSessionClusterEntrypoint}), TaskManagers ({@code TaskManagerRunner}) and the
 * CLI ({@code CliFrontend}), each its own process with the Java 17 flags of Flink's default
 * configuration, memory flags computed by Flink's {@code BashJavaUtils}, its own log file, its own
 * {@code java.io.tmpdir} and the same extra environment (secrets reach every process that way; one
 * TaskManager or CLI run can change its own). Ports (REST, RPC, blob, and a Prometheus reporter
 * port per JVM, given to each as a dynamic property so a test knows whose endpoint it reads) are
 * free ones; everything the cluster writes — configuration, logs, temp directories, checkpoints,
 * savepoints — stays under the work directory, which is left in place for inspection.
 *
 * <p>Not thread-safe: one test drives it. {@link #close()} stops every process it started.
 */
public final class StandaloneFlinkCluster implements AutoCloseable {

    /** Flink 1.20's default {@code env.java.opts.all}: what Flink itself needs on Java 17. */
    public static final List<String> JAVA_17_OPTIONS =
            List.of(
                    "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
                    "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
                    "--add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED",
                    "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
                    "--add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED",
                    "--add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED",
                    "--add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED",
                    "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
                    "--add-opens=java.base/java.lang=ALL-UNNAMED",
                    "--add-opens=java.base/java.net=ALL-UNNAMED",
                    "--add-opens=java.base/java.io=ALL-UNNAMED",
                    "--add-opens=java.base/java.nio=ALL-UNNAMED",
                    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
                    "--add-opens=java.base/java.text=ALL-UNNAMED",
                    "--add-opens=java.base/java.time=ALL-UNNAMED",
                    "--add-opens=java.base/java.util=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    private static final String JOB_MANAGER_MAIN =
            "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    private static final String TASK_MANAGER_MAIN =
            "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
    private static final String CLI_MAIN = "org.apache.flink.client.cli.CliFrontend";
    private static final String BASH_JAVA_UTILS =
            "org.apache.flink.runtime.util.bash.BashJavaUtils";
    private static final String EXEC_RESULT = "BASH_JAVA_UTILS_EXEC_RESULT:";
    private static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(2);

    /** Flink's own default log4j layout, one file per process. */
    private static final String LOG4J_PROPERTIES =
            String.join(
                    "\n",
                    "monitorInterval = 0",
                    "rootLogger.level = INFO",
                    "rootLogger.appenderRef.file.ref = MainAppender",
                    "appender.main.name = MainAppender",
                    "appender.main.type = File",
                    "appender.main.append = true",
                    "appender.main.fileName = ${sys:log.file}",
                    "appender.main.layout.type = PatternLayout",
                    "appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n",
                    "logger.netty.name = org.jboss.netty.channel.DefaultChannelPipeline",
                    "logger.netty.level = OFF",
                    "");

    private final Path flinkHome;
    private final Path workDir;
    private final Path confDir;
    private final Path logDir;
    private final List<Path> classpath;
    private final Map<String, String> config;
    private final Map<String, String> environment;
    private final List<FlinkProcess> processes = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private final int restPort;
    private List<String> jobManagerJvm;
    private List<String> jobManagerArgs;
    private List<String> taskManagerJvm;
    private List<String> taskManagerArgs;
    private FlinkProcess jobManager;
    private Thread shutdownHook;
    private int taskManagersStarted;
    private int cliRuns;

    private StandaloneFlinkCluster(Builder b) throws IOException {
        this.flinkHome = b.flinkHome.toAbsolutePath().normalize();
        this.workDir = b.workDir.toAbsolutePath().normalize();
        this.confDir = workDir.resolve("conf");
        this.logDir = workDir.resolve("log");
        this.environment = Map.copyOf(b.environment);
        Path lib = flinkHome.resolve("lib");
        if (!Files.isDirectory(lib) || !Files.isDirectory(flinkHome.resolve("plugins"))) {
            throw new IllegalArgumentException(
                    flinkHome + " is not a Flink installation (no lib/ and plugins/)");
        }
        List<Path> jars = new ArrayList<>(jarsIn(lib));
        for (Path dir : b.extraLib) {
            jars.addAll(jarsIn(dir));
        }
        this.classpath = List.copyOf(jars);
        this.restPort = freePort();
        Map<String, String> c = new LinkedHashMap<>();
        c.put("jobmanager.rpc.address", "localhost");
        c.put("jobmanager.bind-host", "localhost");
        c.put("jobmanager.rpc.port", Integer.toString(freePort()));
        c.put("rest.address", "localhost");
        c.put("rest.bind-address", "localhost");
        c.put("rest.port", Integer.toString(restPort));
        c.put("blob.server.port", Integer.toString(freePort()));
        c.put("taskmanager.host", "localhost");
        c.put("taskmanager.bind-host", "localhost");
        c.put("jobmanager.memory.process.size", "1024m");
        c.put("taskmanager.memory.process.size", "1728m");
        c.put("taskmanager.memory.managed.size", "64m");
        c.put("taskmanager.numberOfTaskSlots", "2");
        c.put(
                "metrics.reporter.prom.factory.class",
                "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        c.put("state.checkpoints.dir", workDir.resolve("checkpoints").toUri().toString());
        c.put(
                "execution.checkpointing.savepoint-dir",
                workDir.resolve("savepoints").toUri().toString());
        c.putAll(b.config);
        this.config = Map.copyOf(c);
    }

    /**
     * A cluster run from the Flink installation {@code flinkHome}, writing under {@code workDir}.
     */
    public static Builder builder(Path flinkHome, Path workDir) {
        return new Builder(flinkHome, workDir);
    }

    /** How to run the cluster; {@link #start()} starts it. */
    public static final class Builder {
        private final Path flinkHome;
        private final Path workDir;
        private final List<Path> extraLib = new ArrayList<>();
        private final Map<String, String> config = new LinkedHashMap<>();
        private final Map<String, String> environment = new LinkedHashMap<>();

        private Builder(Path flinkHome, Path workDir) {
            this.flinkHome = flinkHome;
            this.workDir = workDir;
        }

        /** The jars of {@code dir} join {@code lib/} (on every process's system classpath). */
        public Builder extraLib(Path dir) {
            extraLib.add(dir);
            return this;
        }

        /** A Flink configuration entry ({@code config.yaml}), over this class's defaults. */
        public Builder config(String key, String value) {
            config.put(key, value);
            return this;
        }

        /** An environment variable of every process: JobManager, TaskManagers and CLI runs. */
        public Builder environment(String name, String value) {
            environment.put(name, value);
            return this;
        }

        /** Writes the configuration and starts the JobManager and one TaskManager. */
        public StandaloneFlinkCluster start() throws IOException, InterruptedException {
            StandaloneFlinkCluster cluster = new StandaloneFlinkCluster(this);
            // child processes outlive their parent JVM: a test JVM that exits without close()
            // must not leave a cluster running
            cluster.shutdownHook =
                    new Thread(
                            () -> cluster.processes.forEach(FlinkProcess::killQuietly),
                            "stop-flink-cluster");
            Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
            try {
                cluster.startProcesses();
            } catch (IOException | InterruptedException | RuntimeException | Error e) {
                cluster.close();
                throw e;
            }
            return cluster;
        }
    }

    private void startProcesses() throws IOException, InterruptedException {
        Files.createDirectories(confDir);
        Files.createDirectories(logDir);
        StringBuilder yaml = new StringBuilder();
        config.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(
                        e ->
                                yaml.append(e.getKey())
                                        .append(": '")
                                        .append(e.getValue().replace("'", "''"))
                                        .append("'\n"));
        Files.writeString(confDir.resolve("config.yaml"), yaml);
        Files.writeString(confDir.resolve("log4j.properties"), LOG4J_PROPERTIES);
        List<List<String>> jm = resourceParams("GET_JM_RESOURCE_PARAMS");
        jobManagerJvm = jm.get(0);
        jobManagerArgs = jm.size() > 1 ? jm.get(1) : List.of();
        List<List<String>> tm = resourceParams("GET_TM_RESOURCE_PARAMS");
        taskManagerJvm = tm.get(0);
        taskManagerArgs = tm.get(1);

        jobManager =
                launch("jobmanager", JOB_MANAGER_MAIN, jobManagerJvm, jobManagerArgs, env -> {});
        FlinkProcess jmProcess = jobManager;
        await(
                "the JobManager's REST API on port " + restPort,
                () -> {
                    requireAlive(jmProcess);
                    return restStatus("/overview") == 200;
                },
                jmProcess);
        startTaskManager();
    }

    /**
     * Starts another TaskManager and returns once the JobManager lists it (its resource id is its
     * {@link FlinkProcess#name()}).
     */
    public FlinkProcess startTaskManager() throws IOException, InterruptedException {
        return startTaskManager(env -> {});
    }

    /**
     * Like {@link #startTaskManager()}, with this TaskManager's environment changed by {@code
     * environment} (which sees the cluster's variables and may add, change or remove any): e.g. a
     * TaskManager that lacks a secret.
     */
    public FlinkProcess startTaskManager(Consumer<Map<String, String>> environment)
            throws IOException, InterruptedException {
        String name = "taskmanager-" + (++taskManagersStarted);
        List<String> args = new ArrayList<>(taskManagerArgs);
        args.add("-Dtaskmanager.resource-id=" + name);
        FlinkProcess tm = launch(name, TASK_MANAGER_MAIN, taskManagerJvm, args, environment);
        await(
                name + " registered at the JobManager",
                () -> {
                    requireAlive(tm);
                    return rest("/taskmanagers").contains("\"id\":\"" + name + "\"");
                },
                tm);
        return tm;
    }

    private FlinkProcess launch(
            String name,
            String main,
            List<String> jvm,
            List<String> args,
            Consumer<Map<String, String>> environment)
            throws IOException {
        Path tmp = Files.createDirectories(workDir.resolve("tmp").resolve(name));
        Path log = logDir.resolve(name + ".log");
        Path out = logDir.resolve(name + ".out");
        int prometheusPort = freePort();
        List<String> command = new ArrayList<>(javaCommand(jvm, log, tmp));
        command.add(main);
        command.add("--configDir");
        command.add(confDir.toString());
        command.addAll(args);
        command.add("-Dmetrics.reporter.prom.port=" + prometheusPort);
        Process process = start(command, out, environment);
        FlinkProcess p = new FlinkProcess(name, process, log, out, tmp, prometheusPort);
        processes.add(p);
        return p;
    }

    /** What one run of Flink's CLI printed, and where its log went. */
    public record CliRun(List<String> args, int exitCode, String output, Path logFile) {
        /** Throws, with everything the CLI printed, unless it exited 0. */
        public CliRun assertSuccess() {
            if (exitCode != 0) {
                throw new AssertionError(
                        "flink "
                                + String.join(" ", args)
                                + " exited "
                                + exitCode
                                + ":\n"
                                + output
                                + "\n-- "
                                + logFile
                                + " --\n"
                                + tail(logFile, 60));
            }
            return this;
        }
    }

    /**
     * Runs Flink's CLI ({@code flink <args…>}) against this cluster as its own process, with the
     * cluster's environment, and waits for it; its stdout and stderr are returned and kept next to
     * its log file.
     */
    public CliRun cli(Duration timeout, String... args) throws IOException, InterruptedException {
        return cli(env -> {}, timeout, args);
    }

    /**
     * Like {@link #cli(Duration, String...)}, with the CLI's environment changed by {@code
     * environment}.
     */
    public CliRun cli(Consumer<Map<String, String>> environment, Duration timeout, String... args)
            throws IOException, InterruptedException {
        String name = "client-" + (++cliRuns) + "-" + (args.length > 0 ? args[0] : "help");
        Path tmp = Files.createDirectories(workDir.resolve("tmp").resolve(name));
        Path log = logDir.resolve(name + ".log");
        Path out = logDir.resolve(name + ".out");
        List<String> command = new ArrayList<>(javaCommand(List.of("-Xmx768m"), log, tmp));
        command.add(CLI_MAIN);
        command.addAll(Arrays.asList(args));
        Process p = start(command, out, environment);
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            p.waitFor(20, TimeUnit.SECONDS);
            throw new AssertionError(
                    "flink "
                            + String.join(" ", args)
                            + " did not finish within "
                            + timeout
                            + ":\n"
                            + tail(out, 60));
        }
        return new CliRun(List.of(args), p.exitValue(), read(out), log);
    }

    private List<String> javaCommand(List<String> jvm, Path log, Path tmp) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JAVA_17_OPTIONS);
        command.addAll(jvm);
        command.add("-Djava.io.tmpdir=" + tmp);
        command.add("-Dlog.file=" + log);
        command.add("-Dlog4j.configurationFile=" + confDir.resolve("log4j.properties").toUri());
        command.add("-classpath");
        command.add(
                classpath.stream()
                        .map(Path::toString)
                        .collect(Collectors.joining(java.io.File.pathSeparator)));
        return command;
    }

    private Process start(List<String> command, Path out, Consumer<Map<String, String>> environment)
            throws IOException {
        ProcessBuilder pb =
                new ProcessBuilder(command)
                        .directory(workDir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()));
        pb.environment().put("FLINK_CONF_DIR", confDir.toString());
        pb.environment().put("FLINK_PLUGINS_DIR", flinkHome.resolve("plugins").toString());
        pb.environment().putAll(this.environment);
        environment.accept(pb.environment());
        return pb.start();
    }

    /**
     * The memory flags Flink's scripts compute: JVM options, then dynamic properties for the
     * entrypoint.
     */
    private List<List<String>> resourceParams(String command)
            throws IOException, InterruptedException {
        Path out = logDir.resolve("bash-java-utils-" + command + ".out");
        Path log = logDir.resolve("bash-java-utils-" + command + ".log");
        List<String> cmd = new ArrayList<>(javaCommand(List.of(), log, workDir.resolve("tmp")));
        cmd.add(BASH_JAVA_UTILS);
        cmd.add(command);
        cmd.add("--configDir");
        cmd.add(confDir.toString());
        Process p = start(cmd, out, env -> {});
        if (!p.waitFor(STARTUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("BashJavaUtils " + command + " failed:\n" + read(out));
        }
        List<List<String>> results = new ArrayList<>();
        for (String line : read(out).lines().toList()) {
            if (line.startsWith(EXEC_RESULT)) {
                String value = line.substring(EXEC_RESULT.length()).trim();
                results.add(value.isEmpty() ? List.of() : List.of(value.split("\\s+")));
            }
        }
        if (results.isEmpty()) {
            throw new IllegalStateException(
                    "BashJavaUtils " + command + " printed no result:\n" + read(out));
        }
        return results;
    }

    // ------------------------------------------------------------------ access

    public String restUrl() {
        return "http://localhost:" + restPort;
    }

    /** The body of a GET of the REST API ({@code path} like {@code /jobs/overview}). */
    public String rest(String path) {
        try {
            HttpResponse<String> r = get(restUrl() + path);
            if (r.statusCode() != 200) {
                throw new IllegalStateException(
                        "GET " + path + " → " + r.statusCode() + ": " + r.body());
            }
            return r.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private int restStatus(String path) {
        try {
            return get(restUrl() + path).statusCode();
        } catch (IOException e) {
            return -1;
        }
    }

    /** What a JVM's Prometheus reporter serves ({@code /metrics}, text format). */
    public String prometheus(FlinkProcess process) {
        try {
            HttpResponse<String> r =
                    get("http://localhost:" + process.prometheusPort() + "/metrics");
            if (r.statusCode() != 200) {
                throw new IllegalStateException(
                        process + " /metrics → " + r.statusCode() + ": " + r.body());
            }
            return r.body();
        } catch (IOException e) {
            throw new UncheckedIOException("no Prometheus endpoint on " + process, e);
        }
    }

    private HttpResponse<String> get(String url) throws IOException {
        try {
            return http.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .timeout(Duration.ofSeconds(30))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    public FlinkProcess jobManager() {
        return jobManager;
    }

    /** The TaskManagers that are still running, oldest first. */
    public List<FlinkProcess> taskManagers() {
        return processes.stream()
                .filter(p -> p.name().startsWith("taskmanager-") && p.isAlive())
                .toList();
    }

    public Path workDir() {
        return workDir;
    }

    /**
     * Every file the cluster's processes and CLI runs wrote to the log directory: log4j logs and
     * captured stdout/stderr.
     */
    public List<Path> logFiles() throws IOException {
        try (Stream<Path> files = Files.list(logDir)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        }
    }

    /** Stops every process this cluster started (TaskManagers first). */
    @Override
    public void close() throws InterruptedException {
        for (int i = processes.size() - 1; i >= 0; i--) {
            processes.get(i).destroy();
        }
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or about to: nothing left to remove
            }
            shutdownHook = null;
        }
    }

    // ------------------------------------------------------------------ helpers

    private static void requireAlive(FlinkProcess p) {
        if (!p.isAlive()) {
            throw new IllegalStateException(p + " exited while starting:\n" + p.tail(80));
        }
    }

    private static void await(String what, BooleanSupplier condition, FlinkProcess process)
            throws InterruptedException {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "Timed out after "
                                + STARTUP_TIMEOUT
                                + " waiting for "
                                + what
                                + ":\n"
                                + process.tail(80));
            }
            Thread.sleep(250);
        }
    }

    private static List<Path> jarsIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".jar")).sorted().toList();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static String tail(Path file, int lines) {
        try {
            List<String> all = read(file).lines().toList();
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(" + file + " not readable: " + e + ")";
        }
    }

    /** A file's text; bytes that are not UTF-8 become replacement characters. */
    static String read(Path file) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    }
}
