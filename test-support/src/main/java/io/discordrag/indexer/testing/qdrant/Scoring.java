package io.discordrag.indexer.testing.qdrant;

import io.qdrant.client.grpc.Collections.Distance;

/** Qdrant's distance functions and score-threshold rule (spec section 6). */
final class Scoring {

    private Scoring() {}

    /**
     * L2-normalises in float32; zero vectors and vectors already of unit length stay as they are.
     */
    static float[] normalise(float[] v) {
        float lenSq = 0f;
        for (float x : v) {
            lenSq += x * x;
        }
        if (lenSq == 0f || Math.abs(lenSq - 1f) <= 1e-6f) {
            return v;
        }
        float len = (float) Math.sqrt(lenSq);
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] / len;
        }
        return out;
    }

    /** Score of a stored vector against a query already prepared (normalised for cosine). */
    static float score(Distance distance, float[] query, float[] stored) {
        switch (distance) {
            case Cosine:
            case Dot:
                {
                    float dot = 0f;
                    for (int i = 0; i < query.length; i++) {
                        dot += query[i] * stored[i];
                    }
                    return dot;
                }
            case Euclid:
                {
                    float sum = 0f;
                    for (int i = 0; i < query.length; i++) {
                        float d = query[i] - stored[i];
                        sum += d * d;
                    }
                    return (float) Math.sqrt(sum);
                }
            case Manhattan:
                {
                    float sum = 0f;
                    for (int i = 0; i < query.length; i++) {
                        sum += Math.abs(query[i] - stored[i]);
                    }
                    return sum;
                }
            default:
                throw QdrantErrors.badInput("Unknown distance " + distance);
        }
    }

    /** Whether higher scores are better for this distance. */
    static boolean higherIsBetter(Distance distance) {
        return distance == Distance.Cosine || distance == Distance.Dot;
    }

    /** Qdrant keeps a point when its score is strictly better than the threshold. */
    static boolean passes(Distance distance, float score, float threshold) {
        return higherIsBetter(distance) ? score > threshold : score < threshold;
    }
}
