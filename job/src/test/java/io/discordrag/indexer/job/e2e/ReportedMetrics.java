package io.discordrag.indexer.job.e2e;

import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.testutils.InMemoryReporter;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The operator metrics of one job's subtasks as an {@link InMemoryReporter} holds them: live
 * objects, read without the REST metric fetcher's delay. Each is described by its operator, its
 * name below the operator ({@code addGroup(name)} subgroups joined with dots), and its labels
 * ({@code addGroup(key, value)}).
 */
public final class ReportedMetrics {

    private static final String JOB_ID = "<job_id>";
    private static final String OPERATOR_NAME = "<operator_name>";
    private static final String SUBTASK_INDEX = "<subtask_index>";

    /**
     * One registered operator metric of one subtask; {@code prometheusPath} is what the Prometheus
     * reporter puts between its {@code flink_taskmanager_job_task_operator_} prefix and the labels:
     * subgroup names and label keys (not label values), then the metric's name.
     */
    record Reported(
            String operator,
            String name,
            Map<String, String> labels,
            Metric metric,
            List<String> prometheusPath) {

        /** The name as README's metrics table writes it: {@code name} or {@code name{label,…}}. */
        String documented() {
            return labels.isEmpty() ? name : name + "{" + String.join(",", labels.keySet()) + "}";
        }

        /** The name the Prometheus reporter exports, without its prefix. */
        String prometheus() {
            return String.join("_", prometheusPath);
        }
    }

    private ReportedMetrics() {}

    /** Every operator metric of {@code job}, one entry per subtask. */
    static List<Reported> of(InMemoryReporter reporter, JobID job) {
        List<Reported> out = new ArrayList<>();
        for (Map.Entry<MetricGroup, Map<String, Metric>> e :
                reporter.getMetricsByGroup().entrySet()) {
            MetricGroup group = e.getKey();
            Map<String, String> variables = group.getAllVariables();
            String operator = variables.get(OPERATOR_NAME);
            String subtask = variables.get(SUBTASK_INDEX);
            // operators' subtasks on TaskManagers (a JobManager's operator coordinators have no
            // subtask)
            if (operator == null
                    || subtask == null
                    || !job.toString().equals(variables.get(JOB_ID))) {
                continue;
            }
            String[] scope = group.getScopeComponents();
            int below = operatorScopeEnd(scope, operator, subtask);
            for (Map.Entry<String, Metric> m : e.getValue().entrySet()) {
                out.add(describe(operator, scope, below, variables, m.getKey(), m.getValue()));
            }
        }
        return out;
    }

    /**
     * Sum over subtasks of the counter {@code name} (no labels) of the operator named {@code
     * operator}.
     */
    static long counter(InMemoryReporter reporter, JobID job, String operator, String name) {
        long sum = 0;
        boolean found = false;
        for (Reported r : of(reporter, job)) {
            if (r.operator().equals(operator) && r.name().equals(name) && r.labels().isEmpty()) {
                sum += ((Counter) r.metric()).getCount();
                found = true;
            }
        }
        if (!found) {
            throw new IllegalStateException(
                    "no counter " + name + " on operator " + operator + " of job " + job);
        }
        return sum;
    }

    /** The names of {@code reported}, as README documents them. */
    static Set<String> documentedNames(List<Reported> reported) {
        Set<String> names = new TreeSet<>();
        reported.forEach(r -> names.add(r.documented()));
        return names;
    }

    /**
     * The names of {@code reported}, as the Prometheus reporter exports them (without its prefix).
     */
    static Set<String> prometheusNames(List<Reported> reported) {
        Set<String> names = new TreeSet<>();
        reported.forEach(r -> names.add(r.prometheus()));
        return names;
    }

    /** The Prometheus reporter's prefix of operator metrics. */
    private static final String OPERATOR_PREFIX = "flink_taskmanager_job_task_operator_";

    /**
     * Every metric a Grafana dashboard queries, as the Prometheus reporter names it ({@code
     * flink_…}), from plain selectors and {@code __name__=~"a|b"} alike.
     */
    public static Set<String> queriedMetrics(String dashboard) {
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("flink_[A-Za-z_]+").matcher(dashboard);
        Set<String> used = new TreeSet<>();
        while (m.find()) {
            used.add(m.group());
        }
        return used;
    }

    /**
     * The operator metrics a Grafana dashboard queries: the names after the Prometheus reporter's
     * {@code flink_taskmanager_job_task_operator_} prefix.
     */
    public static Set<String> queriedOperatorMetrics(String dashboard) {
        Set<String> used = new TreeSet<>();
        for (String metric : queriedMetrics(dashboard)) {
            if (metric.startsWith(OPERATOR_PREFIX)) {
                used.add(metric.substring(OPERATOR_PREFIX.length()));
            }
        }
        return used;
    }

    /**
     * Index just after the operator's own scope components ({@code
     * …<operator_name>.<subtask_index>}).
     */
    private static int operatorScopeEnd(String[] scope, String operator, String subtask) {
        for (int i = scope.length - 2; i >= 0; i--) {
            if (scope[i].equals(operator) && scope[i + 1].equals(subtask)) {
                return i + 2;
            }
        }
        throw new IllegalStateException(
                "operator "
                        + operator
                        + " not found in scope "
                        + String.join(".", scope)
                        + "; these tests expect the default operator scope format");
    }

    private static Reported describe(
            String operator,
            String[] scope,
            int below,
            Map<String, String> variables,
            String metricName,
            Metric metric) {
        List<String> subgroups = new ArrayList<>();
        List<String> prometheusPath = new ArrayList<>();
        Map<String, String> labels = new java.util.TreeMap<>();
        for (int i = below; i < scope.length; i++) {
            String key = scope[i];
            String value = i + 1 < scope.length ? variables.get("<" + key + ">") : null;
            if (value != null && value.equals(scope[i + 1])) {
                labels.put(key, value);
                prometheusPath.add(key);
                i++;
            } else {
                subgroups.add(key);
                prometheusPath.add(key);
            }
        }
        subgroups.add(metricName);
        prometheusPath.add(metricName);
        return new Reported(
                operator, String.join(".", subgroups), labels, metric, List.copyOf(prometheusPath));
    }
}
