package io.discordrag.indexer.testing.flink;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One JVM of a {@link StandaloneFlinkCluster}: the JobManager or a TaskManager. Each has its own
 * log file ({@link #logFile()}, written by log4j), its own captured stdout/stderr ({@link
 * #outFile()}), its own {@code java.io.tmpdir} ({@link #tmpDir()}) and its own Prometheus reporter
 * port. Not thread-safe: one test drives it.
 */
public final class FlinkProcess {

    private final String name;
    private final Process process;
    private final Path logFile;
    private final Path outFile;
    private final Path tmpDir;
    private final int prometheusPort;

    FlinkProcess(
            String name,
            Process process,
            Path logFile,
            Path outFile,
            Path tmpDir,
            int prometheusPort) {
        this.name = name;
        this.process = process;
        this.logFile = logFile;
        this.outFile = outFile;
        this.tmpDir = tmpDir;
        this.prometheusPort = prometheusPort;
    }

    /** {@code jobmanager}, {@code taskmanager-1}, {@code taskmanager-2}, … */
    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path logFile() {
        return logFile;
    }

    public Path outFile() {
        return outFile;
    }

    public Path tmpDir() {
        return tmpDir;
    }

    /** The port of this JVM's Prometheus reporter: {@code http://localhost:<port>/metrics}. */
    public int prometheusPort() {
        return prometheusPort;
    }

    /**
     * {@code kill -9}: the JVM gets no chance to deregister or clean up; returns when it is gone.
     */
    public void killHard() throws InterruptedException {
        // On Linux destroyForcibly sends SIGKILL.
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " (pid " + pid() + ") survived SIGKILL");
        }
    }

    /**
     * Runs {@code jcmd <pid> <command…>} against this JVM (e.g. {@code GC.run}, {@code
     * GC.class_histogram}) and returns what it printed.
     */
    public String jcmd(String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
        cmd.add(Long.toString(pid()));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IOException("jcmd " + String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    /** The lines of {@code /proc/<pid>/maps}: the files this JVM has mapped (Linux). */
    public List<String> memoryMaps() throws IOException {
        return Files.readAllLines(Path.of("/proc", Long.toString(pid()), "maps"));
    }

    /** The last {@code lines} lines of the log file and of stdout/stderr, for failure messages. */
    public String tail(int lines) {
        return StandaloneFlinkCluster.tail(logFile, lines)
                + "\n-- "
                + outFile.getFileName()
                + " --\n"
                + StandaloneFlinkCluster.tail(outFile, lines);
    }

    void killQuietly() {
        process.destroyForcibly();
    }

    void destroy() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(20, TimeUnit.SECONDS);
            }
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + pid() + ")";
    }
}
