package io.discordrag.indexer.job.config;

import org.postgresql.plugin.AuthenticationPlugin;
import org.postgresql.plugin.AuthenticationRequestType;

import java.util.Properties;

/**
 * pgjdbc's authentication plugin for every connection the job's PostgreSQL driver opens (named in
 * the job jar's {@code org/postgresql/driverconfig.properties}, which the driver reads as its
 * defaults): it answers the server's password request with {@link PostgresPassword#resolve} of the
 * connection's {@code password} property, so a reference is resolved in the process that connects
 * and a literal password is used as it is. pgjdbc creates one per authentication.
 */
public final class PostgresPasswordPlugin implements AuthenticationPlugin {

    private final String password;

    /** Called by pgjdbc with the connection's properties. */
    public PostgresPasswordPlugin(Properties info) {
        this.password = info.getProperty("password");
    }

    @Override
    public char[] getPassword(AuthenticationRequestType type) {
        return password == null
                ? null
                : PostgresPassword.resolve(password, System.getenv()).toCharArray();
    }
}
