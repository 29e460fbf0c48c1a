package io.discordrag.indexer.job.config;

import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** The password reference: what the job carries instead of the password, and how it resolves. */
class PostgresPasswordTest {

    @Test
    void theJobCarriesAReferenceToTheVariableNeverItsValue() {
        PostgresOptions fromEnv = PostgresOptions.builder().passwordEnv("PG_SECRET").build();
        assertThat(fromEnv.driverPassword()).isEqualTo("${env:PG_SECRET}");
        assertThat(fromEnv.toString()).doesNotContain("${env");
    }

    @Test
    void aReferenceResolvesInTheProcessThatConnects() {
        assertThat(PostgresPassword.resolve("${env:PG_SECRET}", Map.of("PG_SECRET", "hunter2")))
                .isEqualTo("hunter2");
    }

    @Test
    void aLiteralPasswordPassesThroughUnchanged() {
        assertThat(PostgresPassword.resolve("plain", Map.of())).isEqualTo("plain");
        assertThat(PostgresPassword.resolve("${env:}", Map.of())).isEqualTo("${env:}");
        PostgresOptions programmatic = PostgresOptions.builder().password("s3cret").build();
        assertThat(programmatic.driverPassword()).isEqualTo("s3cret");
        assertThat(programmatic.missingPassword(Map.of())).isEmpty();
    }

    @Test
    void aProcessWithoutTheVariableFailsOnceWithAMessageNamingIt() {
        Throwable thrown =
                catchThrowable(() -> PostgresPassword.resolve("${env:PG_SECRET}", Map.of()));
        assertThat(thrown)
                .as("a deployment error: no restart can fix it")
                .isInstanceOf(SuppressRestartsException.class);
        assertThat(thrown.getCause())
                .hasMessageContaining("environment variable PG_SECRET")
                .hasMessageContaining("postgres.password-env")
                .hasMessageContaining("every TaskManager");
        assertThat(
                        catchThrowable(
                                () ->
                                        PostgresPassword.resolve(
                                                "${env:PG_SECRET}", Map.of("PG_SECRET", ""))))
                .isInstanceOf(SuppressRestartsException.class);
        PostgresOptions fromEnv = PostgresOptions.builder().passwordEnv("PG_SECRET").build();
        assertThat(fromEnv.missingPassword(Map.of())).get().asString().contains("PG_SECRET");
        assertThat(fromEnv.missingPassword(Map.of("PG_SECRET", "x"))).isEmpty();
    }

    @Test
    void thePluginAnswersWithTheResolvedPassword() {
        java.util.Properties literal = new java.util.Properties();
        literal.setProperty("password", "plain");
        assertThat(new PostgresPasswordPlugin(literal).getPassword(null))
                .isEqualTo("plain".toCharArray());
        assertThat(new PostgresPasswordPlugin(new java.util.Properties()).getPassword(null))
                .isNull();
    }
}
