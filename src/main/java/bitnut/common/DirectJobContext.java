package bitnut.common;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;

/**
 * The synchronous twin of the executor's context: runs a job on the calling thread and keeps what
 * it reported. Used by tests and by simple callers; cancel with {@link #cancel()} from any thread.
 */
public class DirectJobContext implements JobContext {
    public record Metric(String name, double x, double y) { }

    private final Consumer<String> logSink;
    private volatile boolean cancel;
    private volatile double fraction = -1;
    private volatile String phase = "";
    private volatile double throughput;
    private volatile String throughputUnit = "";
    private final List<String> logs = Collections.synchronizedList(new ArrayList<>());
    private final List<Metric> metrics = Collections.synchronizedList(new ArrayList<>());

    public DirectJobContext() { this(line -> { }); }

    public DirectJobContext(Consumer<String> logSink) { this.logSink = logSink; }

    /** Runs the job here and now; returns its summary. */
    public static String run(Job job) throws Exception { return job.run(new DirectJobContext()); }

    @Override public void progress(double fraction, String phase) { this.fraction = fraction; this.phase = phase; }
    @Override public void throughput(double perSecond, String unit) { this.throughput = perSecond; this.throughputUnit = unit; }
    @Override public void metric(String name, double x, double y) { metrics.add(new Metric(name, x, y)); }
    @Override public void log(String line) { logs.add(line); logSink.accept(line); }
    @Override public boolean cancelRequested() { return cancel; }

    @Override public void checkpoint() {
        if (cancel) throw new JobCancelledException();
    }

    public void cancel() { cancel = true; }
    public double fraction() { return fraction; }
    public String phase() { return phase; }
    public double throughput() { return throughput; }
    public String throughputUnit() { return throughputUnit; }
    public List<String> logs() { synchronized (logs) { return List.copyOf(logs); } }
    public List<Metric> metrics() { synchronized (metrics) { return List.copyOf(metrics); } }
}
