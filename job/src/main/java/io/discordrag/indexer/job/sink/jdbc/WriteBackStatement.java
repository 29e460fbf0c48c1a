package io.discordrag.indexer.job.sink.jdbc;

import io.discordrag.indexer.job.session.ChunkUpdate;
import io.discordrag.indexer.job.session.MessageSessionsTable;

import org.apache.flink.connector.jdbc.JdbcStatementBuilder;

import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * The write-back statement of one {@link ChunkUpdate} for Flink's JDBC sink: {@link
 * MessageSessionsTable#WRITE_SQL}, the one place that reads and writes {@code message_sessions}.
 */
public final class WriteBackStatement implements JdbcStatementBuilder<ChunkUpdate> {

    private static final long serialVersionUID = 1L;

    public static final String SQL = MessageSessionsTable.WRITE_SQL;

    @Override
    public void accept(PreparedStatement ps, ChunkUpdate u) throws SQLException {
        MessageSessionsTable.bindWrite(ps, u);
    }
}
