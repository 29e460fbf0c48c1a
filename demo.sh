#!/usr/bin/env bash
# The one-command demo: builds the modules it needs (tests are the other command, ./mvnw verify), then
# runs the demo: embedded PostgreSQL, the Qdrant at QDRANT_URL or the in-process stand-in, the streaming
# job in an embedded Flink cluster with its Web UI, searches, an edit, a delete, verify.
# Arguments go to the demo: --messages N, --embedding.model ID, --ui-port P, --linger SECONDS.
set -euo pipefail
cd "$(dirname "$0")"
echo "building (first run downloads dependencies from Maven Central)..."
./mvnw -q -pl demo -am install -DskipTests
exec ./mvnw -q -pl demo exec:exec@demo -Ddemo.args="$*"
