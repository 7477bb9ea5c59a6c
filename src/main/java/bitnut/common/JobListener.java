package bitnut.common;

/**
 * Receives a job's events. Called synchronously on the thread that reported them (usually the job's
 * own worker thread), so implementations must be cheap and thread-safe: record or enqueue, never block.
 * The workbench's FX adapter enqueues and drains at ~10 Hz; the CLI polls the handle instead.
 */
public interface JobListener {
    /** Progress, phase or throughput changed; read the latest values from the handle. */
    default void progress(JobHandle job) { }

    default void metric(JobHandle job, String name, double x, double y) { }

    default void log(JobHandle job, String line) { }

    /** The state changed (queued, running, paused, finished ...) or the queue position moved. */
    default void state(JobHandle job, JobState state) { }
}
