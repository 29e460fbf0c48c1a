package io.discordrag.indexer.job.config;

import org.apache.flink.runtime.execution.SuppressRestartsException;

import java.net.InetAddress;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the PostgreSQL password reaches every process that connects, without being written anywhere.
 * The job hands every PostgreSQL client library (Flink CDC and its Debezium and connection-pool
 * configuration, the JDBC write-back, its own connections) a <em>reference</em> instead of the
 * password, {@code ${env:POSTGRES_PASSWORD}}; {@link PostgresPasswordPlugin}, pgjdbc's
 * authentication plugin for every connection the job's driver makes, resolves it from the
 * environment of the JVM that connects (client, JobManager or TaskManager) at the moment the server
 * asks for it. So the password is never in the submitted job, a checkpoint or a configuration that
 * a library logs (Flink CDC logs its whole Debezium configuration at INFO), and every process needs
 * the variable in its environment: that is the one route.
 *
 * <p>A value that is not a reference is a literal password (set programmatically by tests and the
 * demo, which run in one JVM) and is passed through unchanged.
 */
public final class PostgresPassword {

    private static final Pattern REFERENCE = Pattern.compile("\\$\\{env:([^}]+)}");

    private PostgresPassword() {}

    /** The reference to the environment variable {@code name}. */
    public static String reference(String name) {
        return "${env:" + name + "}";
    }

    /** The variable a reference names, or empty for a literal password. */
    static Optional<String> variable(String value) {
        Matcher m = value == null ? null : REFERENCE.matcher(value);
        return m != null && m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /**
     * The password {@code value} stands for in a process with this {@code environment}: the
     * variable's value for a reference, the value itself otherwise.
     *
     * @throws SuppressRestartsException when the referenced variable is not set: the process was
     *     deployed without the secret, and restarting the job cannot fix that, so the job fails
     *     once with this message instead of restarting forever
     */
    static String resolve(String value, Map<String, String> environment) {
        Optional<String> variable = variable(value);
        if (variable.isEmpty()) {
            return value;
        }
        String password = environment.get(variable.get());
        if (password == null || password.isEmpty()) {
            throw new SuppressRestartsException(new IllegalStateException(missing(variable.get())));
        }
        return password;
    }

    /** The message for a process that lacks the variable. */
    static String missing(String variable) {
        return "The PostgreSQL password is read from the environment variable "
                + variable
                + " (postgres.password-env), which is not set in this process (host "
                + hostName()
                + "): set it on every process that runs the job (the flink run client, the"
                + " JobManager and every TaskManager), see README \"Secrets\"";
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }
}
