package bitnut.ui;

import bitnut.common.ComputeDevice;
import bitnut.common.JobExecutor;
import bitnut.workspace.Workspace;
import javafx.application.Platform;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.stage.Window;

/**
 * What every tab gets: the open workspace, the job executor (engine-level) and its FX adapter, the
 * user settings, and the compute device DJL reports. One instance per open workspace; switching
 * workspace closes it and builds the tabs again with a fresh one.
 */
public final class AppServices implements AutoCloseable {
    private final Workspace workspace;
    private final JobExecutor executor;
    private final FxJobs jobs;
    private final SettingsStore settings;
    private final ReadOnlyObjectWrapper<ComputeDevice.Info> device = new ReadOnlyObjectWrapper<>();
    private Window window;

    /** Builds the services for {@code workspace}; call on the FX thread. */
    public AppServices(Workspace workspace, SettingsStore settings) {
        this.workspace = workspace;
        this.settings = settings;
        this.executor = new JobExecutor(workspace.root());
        this.jobs = new FxJobs(executor);
        // Loading DJL extracts and loads libtorch: seconds, so never on the FX thread.
        Thread.ofPlatform().daemon().name("djl-device-probe").start(() -> {
            ComputeDevice.Info info = ComputeDevice.detect();
            Platform.runLater(() -> device.set(info));
        });
    }

    public Workspace workspace() { return workspace; }

    /** The engine-level executor (submit through {@link #jobs()} to get an FX view of the job). */
    public JobExecutor executor() { return executor; }

    /** The executor adapted to the FX thread: submit jobs here from view-models. */
    public FxJobs jobs() { return jobs; }

    public SettingsStore settings() { return settings; }

    /** The compute device as DJL reports it; null until DJL has loaded. */
    public ReadOnlyObjectProperty<ComputeDevice.Info> deviceProperty() { return device.getReadOnlyProperty(); }

    /** The main window (owner for dialogs and file choosers); null before it is shown. */
    public Window window() { return window; }

    void setWindow(Window w) { this.window = w; }

    /** Cancels running jobs (waiting up to 10 s for their cleanup) and stops the FX drain. */
    @Override public void close() {
        jobs.close();
        executor.shutdown(10_000);
    }
}
