package io.discordrag.indexer.job;

import io.discordrag.indexer.job.session.ChangeInterpreter;
import io.discordrag.indexer.job.sink.jdbc.WriteBackCounter;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.client.JobCancellationException;
import org.apache.flink.util.ExceptionUtils;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Follows a running backfill from the client and reports, every {@code interval}: rows read of the
 * estimated total, points written and the messages in them, throughput and ETA — of the reading
 * while rows remain, then of the embedding from the messages indexed so far (from the job's
 * accumulators, so it works the same in a MiniCluster and on a cluster). Returns when the job has
 * reached a terminal state.
 */
public final class BackfillProgress {

    private final JobClient job;
    private final long estimatedRows;
    private final Duration interval;
    private final Consumer<String> log;

    public BackfillProgress(
            JobClient job, long estimatedRows, Duration interval, Consumer<String> log) {
        this.job = Objects.requireNonNull(job, "job");
        this.estimatedRows = estimatedRows;
        this.interval = Objects.requireNonNull(interval, "interval");
        this.log = Objects.requireNonNull(log, "log");
    }

    /**
     * Reports until the job ends; returns its final status. Waits on the job's result rather than
     * polling its status: run as a plain program, the job's embedded MiniCluster shuts down as soon
     * as the job ends and can no longer be asked for a status.
     */
    public JobStatus follow() throws Exception {
        long start = System.nanoTime();
        CompletableFuture<JobExecutionResult> result = job.getJobExecutionResult();
        while (true) {
            try {
                JobExecutionResult done = result.get(interval.toMillis(), TimeUnit.MILLISECONDS);
                log.accept(line(done.getAllAccumulatorResults(), estimatedRows, start, true));
                return JobStatus.FINISHED;
            } catch (TimeoutException e) {
                try {
                    log.accept(line(job.getAccumulators().get(), estimatedRows, start, false));
                } catch (Exception notYet) {
                    log.accept(
                            "backfill: running (progress not available yet: "
                                    + notYet.getMessage()
                                    + ")");
                }
            } catch (ExecutionException e) {
                boolean cancelled =
                        ExceptionUtils.findThrowable(e, JobCancellationException.class).isPresent();
                log.accept(
                        "backfill: "
                                + (cancelled
                                        ? "cancelled"
                                        : "failed: "
                                                + ExceptionUtils.stringifyException(
                                                        ExceptionUtils.stripExecutionException(
                                                                e))));
                return cancelled ? JobStatus.CANCELED : JobStatus.FAILED;
            }
        }
    }

    /**
     * One progress line from the job's accumulators, {@code startNanos} being when the job started.
     */
    static String line(
            Map<String, Object> accumulators, long estimatedRows, long startNanos, boolean done) {
        long rows = number(accumulators.get(ChangeInterpreter.ROWS_READ));
        long upserts = number(accumulators.get(WriteBackCounter.WRITE_BACK_POINTS_UPSERTED));
        long deletes = number(accumulators.get(WriteBackCounter.WRITE_BACK_POINTS_DELETED));
        long messages = number(accumulators.get(WriteBackCounter.WRITE_BACK_MESSAGES_INDEXED));
        double seconds = Math.max(1e-3, (System.nanoTime() - startNanos) / 1e9);
        double rate = rows / seconds;
        StringBuilder sb =
                new StringBuilder(done ? "backfill: finished — " : "backfill: ")
                        .append(String.format(Locale.ROOT, "%,d", rows));
        if (estimatedRows > 0) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            " of ~%,d rows (%d%%)",
                            estimatedRows,
                            Math.min(100, rows * 100 / estimatedRows)));
        } else {
            sb.append(" rows");
        }
        sb.append(
                String.format(
                        Locale.ROOT,
                        " read, %,d points written (%,d messages), %,d deleted; %.0f rows/s, "
                                + "%.1f points/s",
                        upserts,
                        messages,
                        deletes,
                        rate,
                        upserts / seconds));
        if (done) {
            sb.append(String.format(Locale.ROOT, "; %.0f s", seconds));
        } else if (estimatedRows > rows && rate > 0) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "; reading done in ~%.0f s (embedding may take longer)",
                            (estimatedRows - rows) / rate));
        } else if (messages > 0 && rows > messages) {
            // Every row read is either indexed or skipped (a lone message, a bad row), so this
            // slightly
            // overestimates; sessions a re-run finds unchanged are not written and make it larger
            // still.
            double messageRate = messages / seconds;
            double left = (rows - messages) / messageRate;
            sb.append(
                            String.format(
                                    Locale.ROOT,
                                    left < 600 ? "; about %.0f s left" : "; about %.0f min left",
                                    left < 600 ? left : left / 60))
                    .append(String.format(Locale.ROOT, " at %.0f messages/s indexed", messageRate));
        }
        return sb.toString();
    }

    private static long number(Object value) {
        return value instanceof Number n ? n.longValue() : 0;
    }
}
