package bitnut.ui.tasks;

import bitnut.common.JobState;
import bitnut.common.Lane;
import bitnut.ui.AppServices;
import bitnut.ui.FxJob;
import javafx.beans.InvalidationListener;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.ObservableList;
import javafx.collections.transformation.SortedList;

import java.io.IOException;
import java.util.Comparator;

/**
 * The Tasks view's model: every job of the workspace (newest first), the selected one, and the
 * commands cancel / pause / resume / move in queue / remove. Properties first, then commands.
 * Testable without a window (needs only the FX thread).
 */
public final class TasksViewModel {
    private final AppServices services;
    private final SortedList<FxJob> jobs;
    private final ObjectProperty<FxJob> selected = new SimpleObjectProperty<>(this, "selected");
    private final ReadOnlyBooleanWrapper canCancel = new ReadOnlyBooleanWrapper();
    private final ReadOnlyBooleanWrapper canPause = new ReadOnlyBooleanWrapper();
    private final ReadOnlyBooleanWrapper canResume = new ReadOnlyBooleanWrapper();
    private final ReadOnlyBooleanWrapper canMove = new ReadOnlyBooleanWrapper();
    private final ReadOnlyBooleanWrapper canRemove = new ReadOnlyBooleanWrapper();
    private final InvalidationListener recompute = o -> recompute();

    public TasksViewModel(AppServices services) {
        this.services = services;
        this.jobs = new SortedList<>(services.jobs().jobs(),
                Comparator.comparingLong((FxJob j) -> j.handle().submittedAt()).reversed());
        selected.addListener((o, old, now) -> {
            if (old != null) { old.jobStateProperty().removeListener(recompute); old.queuePositionProperty().removeListener(recompute); }
            if (now != null) { now.jobStateProperty().addListener(recompute); now.queuePositionProperty().addListener(recompute); }
            recompute();
        });
    }

    // ---- properties ----
    public ObservableList<FxJob> jobs() { return jobs; }
    public ObjectProperty<FxJob> selectedProperty() { return selected; }
    public ReadOnlyBooleanProperty canCancelProperty() { return canCancel.getReadOnlyProperty(); }
    public ReadOnlyBooleanProperty canPauseProperty() { return canPause.getReadOnlyProperty(); }
    public ReadOnlyBooleanProperty canResumeProperty() { return canResume.getReadOnlyProperty(); }
    public ReadOnlyBooleanProperty canMoveProperty() { return canMove.getReadOnlyProperty(); }
    public ReadOnlyBooleanProperty canRemoveProperty() { return canRemove.getReadOnlyProperty(); }

    /** "queued #2", "running", "paused", "succeeded", ... as the State column shows it. */
    public static String stateText(FxJob j) {
        JobState s = j.getJobState();
        if (s == JobState.QUEUED) return "queued #" + j.queuePositionProperty().get();
        if (s == JobState.INTERRUPTED && j.resumableProperty().get()) return "interrupted (resumable)";
        if (s == JobState.RUNNING && j.handle().cancelRequested()) return "cancelling";
        if (s == JobState.RUNNING && j.handle().pauseRequested()) return "pausing";
        return s.name().toLowerCase();
    }

    // ---- commands ----
    public void cancel() { FxJob j = selected.get(); if (j != null) j.cancel(); recompute(); }

    public void pause() { FxJob j = selected.get(); if (j != null) j.handle().pause(); recompute(); }

    /** Resumes a paused job, or continues an interrupted one as a new job (selected afterwards). */
    public void resume() {
        FxJob j = selected.get();
        if (j == null) return;
        if (j.getJobState() == JobState.INTERRUPTED) selected.set(services.jobs().resume(j));
        else j.handle().resume();
        recompute();
    }

    /** Moves the selected queued job {@code delta} places (negative = earlier) in its lane's queue. */
    public void move(int delta) {
        FxJob j = selected.get();
        if (j == null || j.getJobState() != JobState.QUEUED) return;
        Lane lane = j.handle().lane();
        int index = services.executor().queued(lane).indexOf(j.handle());
        if (index >= 0) services.executor().move(j.handle(), index + delta);
        recompute();
    }

    /** Forgets the selected finished job and deletes its history folder. */
    public void remove() throws IOException {
        FxJob j = selected.get();
        if (j == null || !j.getJobState().finished()) return;
        services.executor().remove(j.handle());
        services.jobs().jobs().remove(j);
        selected.set(null);
    }

    private void recompute() {
        FxJob j = selected.get();
        JobState s = j == null ? null : j.getJobState();
        canCancel.set(s != null && !s.finished());
        canPause.set(s == JobState.RUNNING && j.handle().pausable() && !j.handle().pauseRequested());
        canResume.set(s == JobState.PAUSED || (s == JobState.RUNNING && j.handle().pauseRequested())
                || (s == JobState.INTERRUPTED && j.resumableProperty().get()));
        canMove.set(s == JobState.QUEUED);
        canRemove.set(s != null && s.finished());
    }
}
