package io.discordrag.indexer.udf.model;

import ai.onnxruntime.OrtEnvironment;

import java.lang.invoke.MethodHandleProxies;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.FutureTask;

/**
 * ONNX Runtime's JVM-wide environment, created so that it does not pin the job's classloader.
 *
 * <p>Creating it registers a JVM shutdown hook, a {@link Thread} that records the protection
 * domains of every class on the creating stack. Created from a job's operator, that stack holds the
 * job's classes, whose protection domain holds the job's classloader: with ONNX Runtime in Flink's
 * {@code lib/} (loaded once per JVM), the first job on a TaskManager stayed reachable for the life
 * of the TaskManager, with all its classes and statics. So when ONNX Runtime is not the job's own
 * copy, the environment is created on a common-pool thread (whose inherited context is empty) by a
 * proxy defined in ONNX Runtime's classloader, with no job class on that stack.
 */
public final class OrtEnvironments {

    private OrtEnvironments() {}

    /** The environment, created outside the job's context on first use. */
    public static OrtEnvironment get() {
        ClassLoader ort = OrtEnvironment.class.getClassLoader();
        if (ort == OrtEnvironments.class.getClassLoader()) {
            return OrtEnvironment.getEnvironment(); // the job's own copy: it goes with the job
        }
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(ort); // the proxy class below is defined there
        try {
            @SuppressWarnings("unchecked")
            Callable<OrtEnvironment> create =
                    MethodHandleProxies.asInterfaceInstance(
                            Callable.class,
                            MethodHandles.publicLookup()
                                    .findStatic(
                                            OrtEnvironment.class,
                                            "getEnvironment",
                                            MethodType.methodType(OrtEnvironment.class)));
            // A FutureTask (a JDK class) run by the pool: ForkJoinTask.get() would run the task
            // in this thread itself when no worker has taken it yet, with the job on the stack.
            FutureTask<OrtEnvironment> task = new FutureTask<>(create);
            ForkJoinPool.commonPool().execute(task);
            return task.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "Cannot create the ONNX Runtime environment: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("ONNX Runtime has no getEnvironment()", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted creating the ONNX Runtime environment", e);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
