package bitnut.common;

/**
 * What a running job talks to. Implementations are thread-safe: a job may report from worker
 * threads. All reporting calls are cheap (they only record the latest value or enqueue an event);
 * consumers such as the UI drain at their own pace.
 */
public interface JobContext {

    /** Overall progress in [0, 1], or a negative value when unknown, plus the current phase text. */
    void progress(double fraction, String phase);

    /** Current throughput, e.g. {@code throughput(12.5, "MB/s")}. */
    void throughput(double perSecond, String unit);

    /** A chartable metric event, e.g. {@code metric("train_loss", step, loss)}. */
    void metric(String name, double x, double y);

    /** One log line for the job's log (kept in the history). */
    void log(String line);

    /** True once cancel was requested; long loops that cannot call checkpoint() may poll this. */
    boolean cancelRequested();

    /**
     * Call often. Throws {@link JobCancelledException} when cancel was requested, and blocks while
     * the job is paused (only for {@link Job#pausable()} jobs).
     */
    void checkpoint() throws JobCancelledException, InterruptedException;
}
