package io.discordrag.indexer.udf.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What identifies an embedding model: its id, where its ONNX graph and {@code tokenizer.json} come
 * from (classpath resources of the weight artifacts, or files), its pooling and its maximum input
 * length in tokens. Immutable and serializable, so Flink can ship it to TaskManagers; the model
 * itself is loaded there by {@link EmbeddingModel#load}. Built-in models come from {@link
 * ModelRegistry}.
 */
public final class ModelSpec implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String id;
    private final String onnxLocation;
    private final String tokenizerLocation;
    private final boolean classpath;
    private final Pooling pooling;
    private final int maxTokens;

    private ModelSpec(
            String id,
            String onnxLocation,
            String tokenizerLocation,
            boolean classpath,
            Pooling pooling,
            int maxTokens) {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("model id must not be blank");
        }
        if (maxTokens < 2) {
            throw new IllegalArgumentException(
                    "max tokens of model " + id + " must be at least 2, got " + maxTokens);
        }
        this.id = id;
        this.onnxLocation = Objects.requireNonNull(onnxLocation, "onnx location");
        this.tokenizerLocation = Objects.requireNonNull(tokenizerLocation, "tokenizer location");
        this.classpath = classpath;
        this.pooling = Objects.requireNonNull(pooling, "pooling");
        this.maxTokens = maxTokens;
    }

    /** A model whose files are classpath resources (the built-in weight artifacts). */
    static ModelSpec classpath(
            String id,
            String onnxResource,
            String tokenizerResource,
            Pooling pooling,
            int maxTokens) {
        return new ModelSpec(id, onnxResource, tokenizerResource, true, pooling, maxTokens);
    }

    /** A custom model from files on every TaskManager. */
    public static ModelSpec fromFiles(
            String id, Path onnx, Path tokenizerJson, Pooling pooling, int maxTokens) {
        return new ModelSpec(
                id, onnx.toString(), tokenizerJson.toString(), false, pooling, maxTokens);
    }

    public String id() {
        return id;
    }

    public Pooling pooling() {
        return pooling;
    }

    public int maxTokens() {
        return maxTokens;
    }

    /** Same model with another maximum input length (e.g. to reproduce a 128-token truncation). */
    public ModelSpec withMaxTokens(int newMaxTokens) {
        return new ModelSpec(id, onnxLocation, tokenizerLocation, classpath, pooling, newMaxTokens);
    }

    /** Whether both files can be opened as classpath resources; true for a model from files. */
    boolean onClasspath() {
        return !classpath
                || (ModelSpec.class.getResource("/" + onnxLocation) != null
                        && ModelSpec.class.getResource("/" + tokenizerLocation) != null);
    }

    byte[] readOnnx() {
        return read(onnxLocation);
    }

    InputStream openTokenizer() throws IOException {
        return open(tokenizerLocation);
    }

    private byte[] read(String location) {
        try (InputStream in = open(location)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + location + " of model " + id, e);
        }
    }

    private InputStream open(String location) throws IOException {
        if (!classpath) {
            return Files.newInputStream(Path.of(location));
        }
        InputStream in = ModelSpec.class.getResourceAsStream("/" + location);
        if (in == null) {
            throw new IOException(
                    "Resource "
                            + location
                            + " of model "
                            + id
                            + " is not on the classpath (is its weight artifact a dependency?)");
        }
        return in;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ModelSpec)) {
            return false;
        }
        ModelSpec that = (ModelSpec) o;
        return classpath == that.classpath
                && maxTokens == that.maxTokens
                && id.equals(that.id)
                && onnxLocation.equals(that.onnxLocation)
                && tokenizerLocation.equals(that.tokenizerLocation)
                && pooling == that.pooling;
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, onnxLocation, tokenizerLocation, classpath, pooling, maxTokens);
    }

    @Override
    public String toString() {
        return id
                + " ("
                + pooling.name().toLowerCase()
                + " pooling, max "
                + maxTokens
                + " tokens, "
                + (classpath ? "classpath:" : "file:")
                + onnxLocation
                + ")";
    }
}
