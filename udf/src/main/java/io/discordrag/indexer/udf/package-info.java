/**
 * Embedding for discord-rag-indexer: tokenizer, ONNX model registry, per-TaskManager model pool,
 * micro-batching and the Flink functions that use them. Knows nothing of Postgres or Qdrant.
 *
 * <p>The module currently carries the pinned embedding stack (ONNX Runtime, DJL HuggingFace
 * tokenizers and the model weight artifacts); the embedder itself is built on top of it.
 */
package io.discordrag.indexer.udf;
