package bitnut.ui;

import bitnut.common.EtaEstimator;
import bitnut.common.JobHandle;
import bitnut.common.JobState;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.concurrent.Worker;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A {@link JobHandle} seen from the FX thread: a {@link javafx.concurrent.Worker} whose properties
 * {@link FxJobs} refreshes at most ~10 times a second. Bind labels, progress bars and tables to it;
 * subscribe to metric and log batches with {@link #onMetrics} / {@link #onLog} (called on the FX
 * thread, one list per drain). All methods are for the FX thread.
 */
public final class FxJob implements Worker<String> {
    /** One chartable metric event as the job reported it. */
    public record Metric(String name, double x, double y) { }

    /** Log lines kept per job in the UI (the full log is in the workspace history). */
    public static final int UI_LOG_LINES = 2000;

    private final JobHandle handle;
    private final ReadOnlyObjectWrapper<State> state = new ReadOnlyObjectWrapper<>(this, "state", State.READY);
    private final ReadOnlyObjectWrapper<JobState> jobState = new ReadOnlyObjectWrapper<>(this, "jobState");
    private final ReadOnlyObjectWrapper<String> value = new ReadOnlyObjectWrapper<>(this, "value");
    private final ReadOnlyObjectWrapper<Throwable> exception = new ReadOnlyObjectWrapper<>(this, "exception");
    private final ReadOnlyDoubleWrapper workDone = new ReadOnlyDoubleWrapper(this, "workDone", -1);
    private final ReadOnlyDoubleWrapper totalWork = new ReadOnlyDoubleWrapper(this, "totalWork", -1);
    private final ReadOnlyDoubleWrapper progress = new ReadOnlyDoubleWrapper(this, "progress", -1);
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper(this, "running");
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper(this, "message", "");
    private final ReadOnlyStringWrapper title = new ReadOnlyStringWrapper(this, "title", "");
    private final ReadOnlyStringWrapper throughput = new ReadOnlyStringWrapper(this, "throughput", "");
    private final ReadOnlyStringWrapper eta = new ReadOnlyStringWrapper(this, "eta", "");
    private final ReadOnlyIntegerWrapper queuePosition = new ReadOnlyIntegerWrapper(this, "queuePosition");
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper(this, "error");
    private final ReadOnlyBooleanWrapper resumable = new ReadOnlyBooleanWrapper(this, "resumable");
    private final ObservableList<String> log = FXCollections.observableArrayList();
    private final List<Consumer<List<Metric>>> metricSubscribers = new CopyOnWriteArrayList<>();
    private final List<Consumer<List<String>>> logSubscribers = new CopyOnWriteArrayList<>();
    private final List<Consumer<FxJob>> finishSubscribers = new CopyOnWriteArrayList<>();
    private boolean finishedDelivered;
    private boolean logPending;

    FxJob(JobHandle handle) {
        this.handle = handle;
        title.set(handle.title());
        // a history entry's log is read from disk only when someone looks at it
        if (!handle.fromHistory()) log.setAll(tail(handle.logTail())); else logPending = true;
        refresh();
    }

    public JobHandle handle() { return handle; }

    /** Called with each batch of metric events (FX thread, at most ~10 times a second). */
    public void onMetrics(Consumer<List<Metric>> c) { metricSubscribers.add(c); }
    /** Called with each batch of new log lines (FX thread). */
    public void onLog(Consumer<List<String>> c) { logSubscribers.add(c); }
    /** Called once on the FX thread when the job reaches a final state (at once if it already has). */
    public void onFinished(Consumer<FxJob> c) {
        if (finishedDelivered) c.accept(this); else finishSubscribers.add(c);
    }

    // ---- called by FxJobs on the FX thread ----

    void refresh() {
        JobState s = handle.state();
        // result and error first: listeners of jobState / state (and a test polling them from another
        // thread) must find the value of a SUCCEEDED job already there
        if (s == JobState.SUCCEEDED) value.set(handle.result());
        if ((s == JobState.FAILED || s == JobState.INTERRUPTED) && exception.get() == null && handle.error() != null) {
            exception.set(new RuntimeException(handle.error()));
        }
        jobState.set(s);
        state.set(switch (s) {
            case QUEUED -> State.SCHEDULED;
            case RUNNING, PAUSED -> State.RUNNING;
            case SUCCEEDED -> State.SUCCEEDED;
            case CANCELLED -> State.CANCELLED;
            case FAILED, INTERRUPTED -> State.FAILED;
        });
        running.set(s == JobState.RUNNING || s == JobState.PAUSED);
        double f = handle.fraction();
        progress.set(f < 0 ? -1 : Math.min(1, f));
        workDone.set(f < 0 ? -1 : Math.min(1, f) * 1000);
        totalWork.set(f < 0 ? -1 : 1000);
        message.set(s == JobState.PAUSED ? "paused · " + handle.phase() : handle.phase());
        double tp = handle.throughput();
        throughput.set(tp > 0 ? formatRate(tp, handle.throughputUnit()) : "");
        eta.set(s == JobState.RUNNING ? EtaEstimator.format(handle.etaSeconds()) : "");
        queuePosition.set(handle.queuePosition());
        error.set(handle.error());
        resumable.set(handle.resumable());
        if (s.finished() && !finishedDelivered) {
            finishedDelivered = true;
            for (Consumer<FxJob> c : finishSubscribers) c.accept(this);
            finishSubscribers.clear();
        }
    }

    void deliverMetrics(List<Metric> batch) { for (Consumer<List<Metric>> c : metricSubscribers) c.accept(batch); }

    void deliverLog(List<String> lines) {
        List<String> t = tail(lines);
        log.addAll(t);
        if (log.size() > UI_LOG_LINES) log.remove(0, log.size() - UI_LOG_LINES);
        for (Consumer<List<String>> c : logSubscribers) c.accept(lines);
    }

    private static List<String> tail(List<String> lines) {
        return lines.size() <= UI_LOG_LINES ? lines : lines.subList(lines.size() - UI_LOG_LINES, lines.size());
    }

    static String formatRate(double v, String unit) {
        String n = v >= 100 ? String.format("%.0f", v) : v >= 10 ? String.format("%.1f", v) : String.format("%.2f", v);
        return n + " " + unit;
    }

    // ---- extra properties ----
    public ReadOnlyObjectProperty<JobState> jobStateProperty() { return jobState.getReadOnlyProperty(); }
    public ReadOnlyStringProperty throughputProperty() { return throughput.getReadOnlyProperty(); }
    public ReadOnlyStringProperty etaProperty() { return eta.getReadOnlyProperty(); }
    public ReadOnlyIntegerProperty queuePositionProperty() { return queuePosition.getReadOnlyProperty(); }
    public ReadOnlyStringProperty errorProperty() { return error.getReadOnlyProperty(); }
    public ReadOnlyBooleanProperty resumableProperty() { return resumable.getReadOnlyProperty(); }
    /** The last {@value #UI_LOG_LINES} log lines. */
    public ObservableList<String> log() {
        if (logPending) {
            logPending = false;
            log.setAll(tail(handle.logTail()));
        }
        return log;
    }
    public JobState getJobState() { return jobState.get(); }

    // ---- javafx.concurrent.Worker ----
    @Override public State getState() { return state.get(); }
    @Override public ReadOnlyObjectProperty<State> stateProperty() { return state.getReadOnlyProperty(); }
    @Override public String getValue() { return value.get(); }
    @Override public ReadOnlyObjectProperty<String> valueProperty() { return value.getReadOnlyProperty(); }
    @Override public Throwable getException() { return exception.get(); }
    @Override public ReadOnlyObjectProperty<Throwable> exceptionProperty() { return exception.getReadOnlyProperty(); }
    @Override public double getWorkDone() { return workDone.get(); }
    @Override public ReadOnlyDoubleProperty workDoneProperty() { return workDone.getReadOnlyProperty(); }
    @Override public double getTotalWork() { return totalWork.get(); }
    @Override public ReadOnlyDoubleProperty totalWorkProperty() { return totalWork.getReadOnlyProperty(); }
    @Override public double getProgress() { return progress.get(); }
    @Override public ReadOnlyDoubleProperty progressProperty() { return progress.getReadOnlyProperty(); }
    @Override public boolean isRunning() { return running.get(); }
    @Override public ReadOnlyBooleanProperty runningProperty() { return running.getReadOnlyProperty(); }
    @Override public String getMessage() { return message.get(); }
    @Override public ReadOnlyStringProperty messageProperty() { return message.getReadOnlyProperty(); }
    @Override public String getTitle() { return title.get(); }
    @Override public ReadOnlyStringProperty titleProperty() { return title.getReadOnlyProperty(); }
    @Override public boolean cancel() {
        if (handle.state().finished()) return false;
        handle.cancel();
        return true;
    }
}
