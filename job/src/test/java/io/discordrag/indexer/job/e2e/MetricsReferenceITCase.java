package io.discordrag.indexer.job.e2e;

import io.discordrag.indexer.job.e2e.ReportedMetrics.Reported;
import io.discordrag.indexer.job.session.PointIds;
import io.discordrag.indexer.testing.postgres.EmbeddedPostgresExtension;
import io.discordrag.indexer.testing.qdrant.QdrantExtension;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.runtime.operators.sink.TestSinkV2;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * README's metrics table and the Grafana dashboard agree with the metrics a running streaming job
 * registers (read from an {@link InMemoryReporter}, after inserts, an edit and deletes have passed
 * every operator): every metric the job's operators add to Flink's own is in the table, every name
 * in the table is registered (on the operator its row names, where that operator exists by that
 * name), and every operator metric the dashboard queries is exported.
 */
class MetricsReferenceITCase {

    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = IndexerFixture.miniCluster(METRICS);

    @RegisterExtension
    static final EmbeddedPostgresExtension POSTGRES = new EmbeddedPostgresExtension();

    @RegisterExtension static final QdrantExtension QDRANT = new QdrantExtension();

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");

    /**
     * Flink names source operators {@code Source: <name>}; ours are Flink CDC's or a plain
     * sequence.
     */
    private static final String SOURCE_PREFIX = "Source: ";

    private static final Pattern DOCUMENTED =
            Pattern.compile("`([A-Za-z][A-Za-z0-9.]*(\\{[A-Za-z,]+\\})?)`");

    private IndexerFixture fx;

    @AfterEach
    void tearDown() throws Exception {
        if (fx != null) {
            fx.close();
        }
    }

    @Test
    void readmeMetricsTableAndDashboardMatchWhatTheJobRegisters(TestInfo test) throws Exception {
        Set<String> flinksOwn =
                ReportedMetrics.documentedNames(ReportedMetrics.of(METRICS, runPlainJob()));

        fx = IndexerFixture.forTest(POSTGRES, QDRANT, test);
        fx.user(1, "alice", "Alice");
        fx.user(2, "bob", "Bob");
        fx.channel(11, 1, "general");
        fx.start();
        String first = PointIds.forChunk(1, 11, 1).toString();
        fx.message(1, 1, 11, 1, "is the deploy done?", T0);
        fx.message(2, 1, 11, 2, "yes, an hour ago", T0.plusSeconds(60));
        fx.message(3, 1, 11, 1, "thanks", T0.plusSeconds(120));
        fx.awaitPointIds(Set.of(first));
        fx.update("UPDATE messages SET content = 'is the deploy finished?' WHERE id = 1");
        IndexerFixture.await(
                "edit indexed",
                IndexerFixture.CONVERGENCE_TIMEOUT,
                () -> content(first).contains("finished"),
                () -> content(first));
        fx.update("DELETE FROM messages WHERE id = 3");
        fx.update("DELETE FROM messages WHERE id = 2");
        fx.awaitPointIds(Set.of());
        // The writer registers a change type's lag histogram on the first acknowledgement of that
        // type.
        IndexerFixture.await(
                "lag of every change type recorded",
                IndexerFixture.CONVERGENCE_TIMEOUT,
                () -> lagTypesRegistered() == 3,
                () -> lagTypesRegistered() + " of 3");

        List<Reported> reported = ReportedMetrics.of(METRICS, fx.jobId());
        Set<String> registered = ReportedMetrics.documentedNames(reported);
        Set<String> ours = new TreeSet<>();
        for (Reported r : reported) {
            if (!r.operator().startsWith(SOURCE_PREFIX) && !flinksOwn.contains(r.documented())) {
                ours.add(r.documented());
            }
        }
        Map<String, Set<String>> table = readmeTable();
        Set<String> documented = new TreeSet<>();
        table.values().forEach(documented::addAll);

        assertThat(ours).as("metrics the job registers besides Flink's own").hasSizeGreaterThan(20);
        assertThat(documented)
                .as("README's metrics table lists every metric the job adds")
                .containsAll(ours);
        assertThat(registered)
                .as("every metric in README's table is registered")
                .containsAll(documented);
        for (Map.Entry<String, Set<String>> row : table.entrySet()) {
            Set<String> onOperator = new TreeSet<>();
            reported.stream()
                    .filter(r -> r.operator().equals(row.getKey()))
                    .forEach(r -> onOperator.add(r.documented()));
            if (!onOperator.isEmpty()) {
                assertThat(onOperator)
                        .as("metrics of operator %s", row.getKey())
                        .containsAll(row.getValue());
                Set<String> oursThere = new TreeSet<>(onOperator);
                oursThere.removeAll(flinksOwn);
                assertThat(row.getValue())
                        .as("README row of operator %s", row.getKey())
                        .containsAll(oursThere);
            }
        }

        String dashboard =
                Files.readString(
                        ROOT.resolve("deploy/grafana/dashboards/discord-rag-indexer.json"),
                        StandardCharsets.UTF_8);
        assertThat(ReportedMetrics.prometheusNames(reported))
                .as("operator metrics the dashboard queries")
                .containsAll(ReportedMetrics.queriedOperatorMetrics(dashboard));
    }

    private String content(String pointId) {
        try {
            IndexerFixture.Point p = fx.points().get(pointId);
            return p == null ? "" : p.content();
        } catch (Exception e) {
            return e.toString();
        }
    }

    /**
     * Change types with a lag histogram: one subgroup ({@code commitToQdrantLagMs.edit}) or label
     * value each.
     */
    private long lagTypesRegistered() {
        Set<String> types = new TreeSet<>();
        for (Reported r : ReportedMetrics.of(METRICS, fx.jobId())) {
            if (r.name().startsWith(LAG + ".")) {
                types.add(r.name().substring(LAG.length() + 1));
            } else if (r.name().equals(LAG)) {
                types.addAll(r.labels().values());
            }
        }
        return types.size();
    }

    private static final String LAG = "commitToQdrantLagMs";

    /** README's metrics table: operator → the metric names in its row. */
    private static Map<String, Set<String>> readmeTable() throws Exception {
        String readme = Files.readString(ROOT.resolve("README.md"), StandardCharsets.UTF_8);
        int start = readme.indexOf("\n| operator | metrics |");
        assertThat(start).as("README has a metrics table").isPositive();
        Map<String, Set<String>> rows = new LinkedHashMap<>();
        for (String line :
                readme.substring(start + 1)
                        .lines()
                        .skip(2)
                        .takeWhile(l -> l.startsWith("|"))
                        .toList()) {
            String[] cells = line.split("\\|");
            Set<String> names = new TreeSet<>();
            Matcher m = DOCUMENTED.matcher(cells[2]);
            while (m.find()) {
                names.add(m.group(1));
            }
            rows.put(cells[1].trim(), Collections.unmodifiableSet(names));
        }
        assertThat(rows).hasSizeGreaterThan(4);
        return rows;
    }

    /**
     * Runs a job of the same kinds of operators as the indexer (a source, a map, a keyed process
     * function, an ordered async function, Sink V2 writers, a committer) that registers nothing of
     * its own: what Flink registers for every such operator.
     */
    private static JobID runPlainJob() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        DataStream<Long> keyed =
                env.fromSequence(1, 10)
                        .map(x -> x)
                        .returns(Types.LONG)
                        .keyBy(x -> x % 2)
                        .process(
                                new KeyedProcessFunction<Long, Long, Long>() {
                                    @Override
                                    public void processElement(
                                            Long value, Context ctx, Collector<Long> out) {
                                        out.collect(value);
                                    }
                                })
                        .returns(Types.LONG);
        DataStream<Long> async =
                AsyncDataStream.orderedWait(
                                keyed,
                                new RichAsyncFunction<Long, Long>() {
                                    @Override
                                    public void asyncInvoke(
                                            Long input, ResultFuture<Long> resultFuture) {
                                        resultFuture.complete(List.of(input));
                                    }
                                },
                                10,
                                TimeUnit.SECONDS,
                                10)
                        .returns(Types.LONG);
        async.sinkTo(new DiscardingSink<>());
        async.sinkTo(
                TestSinkV2.<Long>newBuilder()
                        .setDefaultCommitter()
                        .build()); // as the JDBC sink commits
        return env.execute("plain operators").getJobID();
    }
}
