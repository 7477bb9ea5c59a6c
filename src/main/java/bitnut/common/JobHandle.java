package bitnut.common;

import java.io.BufferedWriter;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One submitted job as the executor, the Tasks view and the CLI see it: its state, latest progress
 * (fraction, phase, throughput, ETA), log tail and result, plus the commands cancel / pause / resume.
 * A handle loaded from the history of an earlier run has no {@link #job()} and never changes
 * (except being resumed).
 *
 * <p>Thread-safety: the job reports from its worker thread through {@link #context()}; readers on
 * any thread see the latest values (volatile fields). Listeners are called on the reporting thread.
 */
public final class JobHandle {
    /** Log lines kept in memory per job; the full log is in the history's log.txt. */
    public static final int LOG_TAIL = 5000;

    private final JobExecutor executor;
    private final String id;
    private final Job job;
    private final String kind;
    private final String title;
    private final Lane lane;
    private final boolean pausable;
    private final Map<String, Object> spec;
    private final String resumedFrom;
    private final long submittedAt;

    private volatile JobState state;
    private volatile double fraction = -1;
    private volatile String phase = "";
    private volatile double throughput;
    private volatile String throughputUnit = "";
    private volatile String result;
    private volatile String error;
    private volatile long startedAt;
    private volatile long finishedAt;
    private volatile int queuePosition;
    private volatile String resumedBy;
    private volatile boolean dirty;

    private volatile boolean cancelRequested;
    private volatile boolean pauseRequested;
    private final ReentrantLock pauseLock = new ReentrantLock();
    private final Condition pauseChanged = pauseLock.newCondition();

    // ETA: active time excludes time spent paused.
    private final EtaEstimator eta = new EtaEstimator();
    private volatile long activeStartNanos;
    private volatile long pausedNanos;
    private volatile long pauseStartNanos; // 0 unless paused right now

    private final ArrayDeque<String> logTail = new ArrayDeque<>();
    /** Set for history entries until their log.txt has been read into logTail. */
    private JobHistory historyLog;
    private BufferedWriter logWriter;
    private final CopyOnWriteArrayList<JobListener> listeners = new CopyOnWriteArrayList<>();
    private final CompletableFuture<JobState> done = new CompletableFuture<>();
    private final Context context = new Context();

    JobHandle(JobExecutor executor, String id, Job job, String resumedFrom) {
        this.executor = executor;
        this.id = id;
        this.job = job;
        this.kind = job.kind();
        this.title = job.title();
        this.lane = job.lane();
        this.pausable = job.pausable();
        Map<String, Object> s = job.spec();
        this.spec = s == null ? Map.of() : Map.copyOf(s);
        this.resumedFrom = resumedFrom;
        this.submittedAt = System.currentTimeMillis();
        this.state = JobState.QUEUED;
    }

    /** A finished (or interrupted) job from the history; its log is read on first use. */
    JobHandle(JobExecutor executor, JobRecord r, JobHistory history) {
        this.executor = executor;
        this.id = r.id();
        this.job = null;
        this.kind = r.kind();
        this.title = r.title();
        this.lane = r.lane();
        this.pausable = r.pausable();
        this.spec = r.spec();
        this.resumedFrom = r.resumedFrom();
        this.resumedBy = r.resumedBy();
        this.submittedAt = r.submittedAt();
        this.startedAt = r.startedAt();
        this.finishedAt = r.finishedAt();
        this.state = r.state();
        this.fraction = r.fraction();
        this.phase = r.phase();
        this.result = r.result();
        this.error = r.error();
        this.historyLog = history;
        done.complete(r.state());
    }

    // ---- what it is ----
    public String id() { return id; }
    /** The job object, or null for an entry loaded from the history. */
    public Job job() { return job; }
    public String kind() { return kind; }
    public String title() { return title; }
    public Lane lane() { return lane; }
    public boolean pausable() { return pausable; }
    public Map<String, Object> spec() { return spec; }
    public String resumedFrom() { return resumedFrom; }
    public String resumedBy() { return resumedBy; }
    /** True when this handle came from the history of an earlier run (not executed here). */
    public boolean fromHistory() { return job == null; }

    // ---- where it is ----
    public JobState state() { return state; }
    /** Progress in [0, 1], or negative when unknown. */
    public double fraction() { return fraction; }
    public String phase() { return phase; }
    public double throughput() { return throughput; }
    public String throughputUnit() { return throughputUnit; }
    /** 1-based position in its lane's queue while QUEUED, else 0. */
    public int queuePosition() { return queuePosition; }
    public long submittedAt() { return submittedAt; }
    public long startedAt() { return startedAt; }
    public long finishedAt() { return finishedAt; }
    /** The job's one-line summary once SUCCEEDED, else null. */
    public String result() { return result; }
    /** The failure message (FAILED) or the reason it stopped (INTERRUPTED), else null. */
    public String error() { return error; }
    public boolean cancelRequested() { return cancelRequested; }
    public boolean pauseRequested() { return pauseRequested; }

    /** Seconds to finish at the recent rate (paused time excluded), or -1 when unknown. */
    public double etaSeconds() {
        if (state != JobState.RUNNING && state != JobState.PAUSED) return -1;
        return eta.secondsLeft(activeNanos(), fraction);
    }

    /** The last {@value #LOG_TAIL} log lines. */
    public List<String> logTail() {
        synchronized (logTail) {
            if (historyLog != null) {
                logTail.addAll(historyLog.readLog(id, LOG_TAIL));
                historyLog = null;
            }
            return List.copyOf(logTail);
        }
    }

    /** True when this interrupted job can be continued (its kind registered a resumer). */
    public boolean resumable() {
        return state == JobState.INTERRUPTED && resumedBy == null && JobKinds.resumer(kind).isPresent();
    }

    // ---- commands ----

    /** Cancels: a queued job is dropped at once; a running one stops at its next checkpoint. */
    public void cancel() { executor.cancel(this); }

    /** Asks a pausable job to pause at its next checkpoint. */
    public void pause() {
        if (!pausable || state.finished()) return;
        pauseRequested = true;
        fireState();
    }

    /** Continues a paused job. */
    public void resume() {
        pauseLock.lock();
        try {
            pauseRequested = false;
            pauseChanged.signalAll();
        } finally {
            pauseLock.unlock();
        }
        fireState();
    }

    public void addListener(JobListener l) { listeners.add(l); }
    public void removeListener(JobListener l) { listeners.remove(l); }

    /** Completes with the final state once the job finished (immediately for history entries). */
    public CompletableFuture<JobState> completion() { return done; }

    /** Blocks until finished; returns the final state. */
    public JobState await(long timeout, TimeUnit unit) throws InterruptedException, TimeoutException {
        try {
            return done.get(timeout, unit);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** The context the job reports through (exposed for callers that run a handle's job themselves). */
    JobContext context() { return context; }

    public JobRecord toRecord() {
        return new JobRecord(id, kind, title, lane, state, pausable, spec, submittedAt, startedAt, finishedAt,
                fraction, phase, result, error, ProcessHandle.current().pid(), JobHistory.currentProcessStart(),
                resumedFrom, resumedBy);
    }

    @Override public String toString() { return id + " " + state + " " + title; }

    // ---- executor side ----

    void setQueuePosition(int pos) {
        if (pos != queuePosition) {
            queuePosition = pos;
            fireState();
        }
    }

    void markResumedBy(String newId) { resumedBy = newId; dirty = true; }

    boolean takeDirty() {
        boolean d = dirty;
        dirty = false;
        return d;
    }

    void requestCancel() {
        cancelRequested = true;
        pauseLock.lock();
        try { pauseChanged.signalAll(); } finally { pauseLock.unlock(); }
    }

    void setState(JobState s) {
        state = s;
        if (s.finished()) finishedAt = System.currentTimeMillis();
        executor.persist(this);
        fireState();
        if (s.finished()) done.complete(s);
    }

    void setLogWriter(BufferedWriter w) { logWriter = w; }

    void flushLog() {
        synchronized (logTail) {
            if (logWriter == null) return;
            try { logWriter.flush(); } catch (IOException ignored) { logWriter = null; }
        }
    }

    void closeLog() {
        synchronized (logTail) {
            if (logWriter == null) return;
            try { logWriter.close(); } catch (IOException ignored) { }
            logWriter = null;
        }
    }

    /** Runs the job on the calling (lane) thread from start to final state. */
    void runHere() {
        startedAt = System.currentTimeMillis();
        activeStartNanos = System.nanoTime();
        setState(JobState.RUNNING);
        JobState end;
        String err = null;
        try {
            String summary = job.run(context);
            result = summary;
            end = JobState.SUCCEEDED;
        } catch (JobCancelledException e) {
            end = JobState.CANCELLED;
        } catch (InterruptedException e) {
            end = cancelRequested ? JobState.CANCELLED : JobState.FAILED;
            err = cancelRequested ? null : "interrupted";
        } catch (Throwable t) {
            end = JobState.FAILED;
            err = describe(t);
            context.log("ERROR " + err);
            StackTraceElement[] st = t.getStackTrace();
            for (int i = 0; i < Math.min(8, st.length); i++) context.log("    at " + st[i]);
        }
        error = err;
        if (end == JobState.SUCCEEDED) fraction = 1;
        if (end == JobState.CANCELLED) context.log("cancelled");
        flushLog();
        setState(end);
        closeLog();
    }

    static String describe(Throwable t) {
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }

    private long activeNanos() {
        long paused = pausedNanos;
        if (pauseStartNanos != 0) paused += System.nanoTime() - pauseStartNanos;
        return System.nanoTime() - activeStartNanos - paused;
    }

    private void fireState() {
        JobState s = state;
        for (JobListener l : listeners) l.state(this, s);
        for (JobListener l : executor.listeners()) l.state(this, s);
    }

    /** The JobContext handed to the job. */
    private final class Context implements JobContext {
        @Override public void progress(double f, String p) {
            fraction = f;
            if (p != null) phase = p;
            dirty = true;
            eta.sample(activeNanos(), f);
            for (JobListener l : listeners) l.progress(JobHandle.this);
            for (JobListener l : executor.listeners()) l.progress(JobHandle.this);
        }

        @Override public void throughput(double perSecond, String unit) {
            throughput = perSecond;
            throughputUnit = unit == null ? "" : unit;
            for (JobListener l : listeners) l.progress(JobHandle.this);
            for (JobListener l : executor.listeners()) l.progress(JobHandle.this);
        }

        @Override public void metric(String name, double x, double y) {
            for (JobListener l : listeners) l.metric(JobHandle.this, name, x, y);
            for (JobListener l : executor.listeners()) l.metric(JobHandle.this, name, x, y);
        }

        @Override public void log(String line) {
            synchronized (logTail) {
                logTail.addLast(line);
                if (logTail.size() > LOG_TAIL) logTail.removeFirst();
                if (logWriter != null) {
                    try {
                        logWriter.write(line);
                        logWriter.newLine();
                    } catch (IOException e) {
                        logWriter = null; // disk trouble: keep running, keep the in-memory tail
                    }
                }
            }
            for (JobListener l : listeners) l.log(JobHandle.this, line);
            for (JobListener l : executor.listeners()) l.log(JobHandle.this, line);
        }

        @Override public boolean cancelRequested() { return cancelRequested; }

        @Override public void checkpoint() throws InterruptedException {
            if (cancelRequested) throw new JobCancelledException();
            if (!pauseRequested || !pausable) return;
            pauseLock.lock();
            try {
                if (pauseRequested && !cancelRequested) {
                    pauseStartNanos = System.nanoTime();
                    setState(JobState.PAUSED);
                    try {
                        while (pauseRequested && !cancelRequested) pauseChanged.await();
                    } finally {
                        pausedNanos += System.nanoTime() - pauseStartNanos;
                        pauseStartNanos = 0;
                    }
                    if (!cancelRequested) setState(JobState.RUNNING);
                }
            } finally {
                pauseLock.unlock();
            }
            if (cancelRequested) throw new JobCancelledException();
        }
    }
}
