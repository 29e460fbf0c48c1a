package io.discordrag.indexer.udf.pool;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DESIGN hazard 7: a job restarted or resubmitted on the same TaskManager gets a new user-code
 * classloader, while the native libraries of the first are still loaded. Two child-first
 * classloaders in this JVM each load the embedder and embed: both must work.
 */
class ClassLoaderIsolationTest {

    private static URLClassLoader newJobClassLoader() throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            urls.add(new File(entry).toURI().toURL());
        }
        // Parent = platform loader: every class of the job and its libraries is loaded anew, as
        // Flink's
        // child-first user-code classloader does.
        return new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
    }

    private static float[] embedIn(ClassLoader loader, String text) throws Exception {
        Thread t = Thread.currentThread();
        ClassLoader before = t.getContextClassLoader();
        t.setContextClassLoader(loader);
        try {
            Class<?> registry = loader.loadClass("io.discordrag.indexer.udf.model.ModelRegistry");
            Class<?> specType = loader.loadClass("io.discordrag.indexer.udf.model.ModelSpec");
            Class<?> modelType = loader.loadClass("io.discordrag.indexer.udf.model.EmbeddingModel");
            Object spec =
                    registry.getMethod("builtIn", String.class).invoke(null, "all-MiniLM-L6-v2-q");
            Object model = modelType.getMethod("load", specType, int.class).invoke(null, spec, 1);
            try {
                Method embed = modelType.getMethod("embed", String.class);
                return (float[]) embed.invoke(model, text);
            } finally {
                ((AutoCloseable) model).close();
            }
        } finally {
            t.setContextClassLoader(before);
        }
    }

    @Test
    void twoJobClassLoadersInOneJvmBothEmbed() throws Exception {
        try (URLClassLoader first = newJobClassLoader();
                URLClassLoader second = newJobClassLoader()) {
            float[] a = embedIn(first, "the deploy failed again");
            float[] b = embedIn(second, "the deploy failed again");
            assertThat(a).hasSize(384);
            assertThat(b).containsExactly(a);
        }
    }
}
