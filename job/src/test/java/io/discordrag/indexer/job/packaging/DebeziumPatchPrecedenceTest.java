package io.discordrag.indexer.job.packaging;

import org.apache.flink.cdc.connectors.postgres.source.PostgresSourceBuilder;
import org.apache.flink.cdc.debezium.DebeziumSourceFunction;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Flink CDC ships patched copies of some Debezium classes; they must win over the Debezium jars on
 * the job's classpath, or the Postgres source misbehaves. This checks every patched class resolves
 * to a Flink CDC jar.
 */
class DebeziumPatchPrecedenceTest {

    /** The jars holding Flink CDC's patched Debezium classes. */
    static List<Path> cdcJars() throws URISyntaxException {
        return List.of(jarOf(PostgresSourceBuilder.class), jarOf(DebeziumSourceFunction.class));
    }

    static Path jarOf(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    /** Class names under {@code io/debezium/} inside a jar. */
    static List<String> patchedClasses(Path jar) throws IOException {
        List<String> out = new ArrayList<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            zip.stream()
                    .map(ZipEntry::getName)
                    .filter(n -> n.startsWith("io/debezium/") && n.endsWith(".class"))
                    .forEach(out::add);
        }
        return out;
    }

    @Test
    void everyPatchedDebeziumClassLoadsFromFlinkCdc() throws Exception {
        int checked = 0;
        for (Path jar : cdcJars()) {
            for (String entry : patchedClasses(jar)) {
                String name =
                        entry.substring(0, entry.length() - ".class".length()).replace('/', '.');
                Class<?> loaded = Class.forName(name, false, getClass().getClassLoader());
                assertThat(jarOf(loaded)).as("%s is loaded from", name).isEqualTo(jar);
                checked++;
            }
        }
        assertThat(checked).as("patched classes found").isGreaterThan(5);
    }
}
