package io.discordrag.indexer.job.session;

import org.apache.flink.api.common.functions.RuntimeContext;

import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Collections;

/**
 * Deregisters, when a job's classloader is released, the JDBC drivers that classloader loaded (the
 * PostgreSQL driver in the job jar registers itself with {@link DriverManager}, a JVM-wide
 * registry): a registered driver keeps its classloader, with every class and static of the job,
 * reachable after the job stopped, one more per resubmission. Nothing happens when the job's
 * classes come from the application classloader (a job run in-process: tests, the demo), whose
 * driver the rest of the JVM still uses.
 */
public final class JdbcDriverRelease {

    static final String RELEASE_HOOK = "discord-rag-indexer-jdbc-drivers";

    private JdbcDriverRelease() {}

    /** Registers the hook once per job classloader; call from {@code open()}. */
    public static void register(RuntimeContext context) {
        context.registerUserCodeClassLoaderReleaseHookIfAbsent(
                RELEASE_HOOK, JdbcDriverRelease::deregisterOurs);
    }

    static void deregisterOurs() {
        ClassLoader ours = JdbcDriverRelease.class.getClassLoader();
        if (ours == ClassLoader.getSystemClassLoader()) {
            return;
        }
        for (Driver driver : Collections.list(DriverManager.getDrivers())) {
            if (driver.getClass().getClassLoader() == ours) {
                try {
                    DriverManager.deregisterDriver(driver);
                } catch (SQLException e) {
                    // the registry refused: nothing else to do at release time
                }
            }
        }
    }
}
