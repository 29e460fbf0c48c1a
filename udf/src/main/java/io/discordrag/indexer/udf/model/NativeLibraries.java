package io.discordrag.indexer.udf.model;

import org.apache.flink.runtime.throwable.ThrowableAnnotation;
import org.apache.flink.runtime.throwable.ThrowableType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks that the native-library jars a model needs are on the classpath: ONNX Runtime, the DJL
 * HuggingFace tokenizers, DJL's api and JNA. The shaded job jar leaves them to Flink's {@code lib/}
 * (so each JVM maps one copy of their native code however often a job is resubmitted); a process
 * without them fails here, before any model is loaded, with one line naming the missing jars and
 * where they go, instead of a {@code NoClassDefFoundError} from inside a model load. The check only
 * loads classes (no native code) and is thread-safe.
 */
public final class NativeLibraries {

    /** One class of each native-library jar, by the jar's Maven artifact id. */
    private static final Map<String, String> PROBES = new LinkedHashMap<>();

    static {
        PROBES.put("onnxruntime", "ai.onnxruntime.OrtEnvironment");
        PROBES.put("tokenizers", "ai.djl.huggingface.tokenizers.HuggingFaceTokenizer");
        PROBES.put("api", "ai.djl.util.Platform");
        PROBES.put("jna", "com.sun.jna.Native");
    }

    private NativeLibraries() {}

    /**
     * Returns if every native-library jar is visible to this class's classloader.
     *
     * @throws MissingException naming the missing jars and where to put them
     */
    public static void require() {
        require(NativeLibraries.class.getClassLoader());
    }

    static void require(ClassLoader loader) {
        List<String> missing = new ArrayList<>();
        PROBES.forEach(
                (jar, probe) -> {
                    try {
                        Class.forName(probe, false, loader);
                    } catch (ClassNotFoundException | LinkageError e) {
                        missing.add(jar);
                    }
                });
        if (!missing.isEmpty()) {
            throw new MissingException(
                    "The native-library jars "
                            + missing
                            + " (ONNX Runtime, DJL tokenizers) are not on this process's classpath: "
                            + "the job jar leaves them to Flink's lib/. Copy job/target/flink-lib/*.jar "
                            + "into lib/ of every JobManager and TaskManager and of the Flink that runs "
                            + "`flink run`, or add them to -cp for a command (README \"Cluster deployment\")");
        }
    }

    /**
     * The native-library jars are missing. Flink does not restart a job that failed with it: a
     * restart on the same TaskManager would miss them again.
     */
    @ThrowableAnnotation(ThrowableType.NonRecoverableError)
    public static final class MissingException extends IllegalStateException {

        private static final long serialVersionUID = 1L;

        MissingException(String message) {
            super(message);
        }
    }
}
