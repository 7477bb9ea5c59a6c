package bitnut.ui;

import bitnut.common.Job;
import bitnut.common.JobExecutor;
import bitnut.common.JobHandle;
import bitnut.common.JobListener;
import bitnut.common.JobState;
import javafx.animation.Animation;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.application.Platform;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.util.Duration;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The executor adapted to the FX thread. Job threads only enqueue (a set of "changed" handles, a
 * queue of metric and log events); one {@link Timeline} drains everything every
 * {@link #DRAIN_PERIOD} into {@link FxJob} properties and batches. So a job that reports thousands
 * of events per second costs the FX thread ten short drains per second, however fast it reports.
 * Create and use on the FX thread.
 */
public final class FxJobs implements AutoCloseable {
    /** 10 Hz: smooth enough for progress bars and live charts, cheap under software rendering. */
    public static final Duration DRAIN_PERIOD = Duration.millis(100);

    private record Event(JobHandle job, Object payload) { }

    private final JobExecutor executor;
    private final ObservableList<FxJob> jobs = FXCollections.observableArrayList();
    private final Map<JobHandle, FxJob> byHandle = new HashMap<>();
    private final Set<JobHandle> changed = ConcurrentHashMap.newKeySet();
    private final Queue<Event> events = new ConcurrentLinkedQueue<>();
    private final Timeline drain;
    private final JobListener listener;
    private long drains;

    public FxJobs(JobExecutor executor) {
        this.executor = executor;
        for (JobHandle h : executor.jobs()) item(h);
        listener = new JobListener() {
            @Override public void progress(JobHandle job) { changed.add(job); }
            @Override public void state(JobHandle job, JobState s) { changed.add(job); }
            @Override public void metric(JobHandle job, String name, double x, double y) {
                events.add(new Event(job, new FxJob.Metric(name, x, y)));
            }
            @Override public void log(JobHandle job, String line) { events.add(new Event(job, line)); }
        };
        executor.addListener(listener);
        executor.addJobAddedListener(changed::add);
        drain = new Timeline(new KeyFrame(DRAIN_PERIOD, e -> drainNow()));
        drain.setCycleCount(Animation.INDEFINITE);
        drain.play();
    }

    public JobExecutor executor() { return executor; }

    /** Every job (this run's and the workspace history's), oldest first. */
    public ObservableList<FxJob> jobs() { return jobs; }

    /** Submits a job to the executor and returns its FX view at once. */
    public FxJob submit(Job job) { return item(executor.submit(job)); }

    /** Continues an interrupted job (see {@link JobExecutor#resume}). */
    public FxJob resume(FxJob interrupted) {
        FxJob next = item(executor.resume(interrupted.handle()));
        interrupted.refresh();
        return next;
    }

    /** The FX view of a handle (created on first use). */
    public FxJob item(JobHandle h) {
        FxJob j = byHandle.get(h);
        if (j == null) {
            j = new FxJob(h);
            byHandle.put(h, j);
            jobs.add(j);
        }
        return j;
    }

    /** How many drains ran so far (tests check the rate stays at ~10 Hz). */
    public long drainCount() { return drains; }

    /** Applies everything reported since the last drain. Runs on the FX thread. */
    void drainNow() {
        drains++;
        Map<JobHandle, List<FxJob.Metric>> metrics = new HashMap<>();
        Map<JobHandle, List<String>> logs = new HashMap<>();
        Event e;
        while ((e = events.poll()) != null) {
            if (e.payload() instanceof FxJob.Metric m) metrics.computeIfAbsent(e.job(), k -> new ArrayList<>()).add(m);
            else logs.computeIfAbsent(e.job(), k -> new ArrayList<>()).add((String) e.payload());
        }
        for (var m : metrics.entrySet()) item(m.getKey()).deliverMetrics(m.getValue());
        for (var l : logs.entrySet()) item(l.getKey()).deliverLog(l.getValue());
        List<JobHandle> dirty = new ArrayList<>(changed);
        changed.removeAll(dirty);
        for (JobHandle h : dirty) item(h).refresh();
        // ETAs move with time even when a job is quiet
        for (FxJob j : jobs) if (j.isRunning()) j.refresh();
    }

    @Override public void close() {
        if (Platform.isFxApplicationThread()) drain.stop(); else Platform.runLater(drain::stop);
        executor.removeListener(listener);
    }
}
