package io.discordrag.indexer.testing.qdrant;

import io.qdrant.client.grpc.JsonWithInt.Value;

import java.util.Map;

/**
 * One point as the stand-in stores it: vectors by name ("" for the unnamed vector), payload,
 * version.
 */
record StoredPoint(
        PointKey id, Map<String, float[]> vectors, Map<String, Value> payload, long version) {}
