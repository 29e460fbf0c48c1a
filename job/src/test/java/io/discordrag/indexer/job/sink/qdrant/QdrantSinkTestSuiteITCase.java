package io.discordrag.indexer.job.sink.qdrant;

import org.apache.flink.connector.testframe.environment.MiniClusterTestEnvironment;
import org.apache.flink.connector.testframe.external.ExternalContextFactory;
import org.apache.flink.connector.testframe.junit.annotations.TestContext;
import org.apache.flink.connector.testframe.junit.annotations.TestEnv;
import org.apache.flink.connector.testframe.junit.annotations.TestExternalSystem;
import org.apache.flink.connector.testframe.junit.annotations.TestSemantics;
import org.apache.flink.connector.testframe.testsuites.SinkTestSuiteBase;
import org.apache.flink.core.execution.CheckpointingMode;

/**
 * Flink's connector test suite on the Qdrant sink: basic sink, restart from savepoint, scale up and
 * down, metrics (numRecordsSend exact while running). AT_LEAST_ONCE only: Qdrant has no
 * transactions; idempotent point ids give the exactly-once effect, which the suite's exactly-once
 * check (exact record counts read back) cannot express for an upsert store.
 */
class QdrantSinkTestSuiteITCase extends SinkTestSuiteBase<String> {

    @TestEnv MiniClusterTestEnvironment flink = new MiniClusterTestEnvironment();

    @TestExternalSystem QdrantTestResource qdrant = new QdrantTestResource();

    @TestSemantics
    CheckpointingMode[] semantics = new CheckpointingMode[] {CheckpointingMode.AT_LEAST_ONCE};

    @TestContext
    ExternalContextFactory<QdrantSinkExternalContext> context =
            testName -> new QdrantSinkExternalContext(qdrant);
}
