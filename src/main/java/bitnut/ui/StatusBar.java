package bitnut.ui;

import bitnut.common.ComputeDevice;
import bitnut.common.JobState;
import javafx.animation.Animation;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.util.Duration;

/**
 * The bottom bar: compute device (as DJL reports it), workspace, JVM heap, and the running job with
 * its progress. Refreshes twice a second from properties only; nothing here blocks.
 */
public final class StatusBar extends HBox {
    private final Label device = new Label("Device: loading DJL…");
    private final Label workspace = new Label();
    private final Label heap = new Label();
    private final Label task = new Label("No task running");
    private final ProgressBar taskProgress = new ProgressBar(0);
    private final Timeline refresh;
    private final AppServices services;

    public StatusBar(AppServices services) {
        this.services = services;
        getStyleClass().add("status-bar");
        setAlignment(Pos.CENTER_LEFT);
        device.setId("status-device");
        heap.setId("status-heap");
        task.setId("status-task");
        taskProgress.setId("status-task-progress");
        taskProgress.setVisible(false);
        workspace.setText("Workspace: " + services.workspace().root());
        Region grow = new Region();
        HBox.setHgrow(grow, Priority.ALWAYS);
        getChildren().addAll(device, workspace, grow, task, taskProgress, heap);
        services.deviceProperty().addListener((o, a, info) -> showDevice(info));
        showDevice(services.deviceProperty().get());
        refresh = new Timeline(new KeyFrame(Duration.millis(500), e -> refresh()));
        refresh.setCycleCount(Animation.INDEFINITE);
        refresh.play();
        refresh();
    }

    private void showDevice(ComputeDevice.Info info) {
        if (info == null) return;
        device.setText(info.ok() ? "Device: " + info.describe() : "Device: DJL unavailable");
        if (!info.ok()) device.setTooltip(new javafx.scene.control.Tooltip(info.error()));
    }

    private void refresh() {
        Runtime rt = Runtime.getRuntime();
        long used = (rt.totalMemory() - rt.freeMemory()) >> 20;
        heap.setText("Heap " + used + " / " + (rt.maxMemory() >> 20) + " MB");
        FxJob running = null;
        int queued = 0;
        for (FxJob j : services.jobs().jobs()) {
            JobState s = j.getJobState();
            if (s == JobState.RUNNING || s == JobState.PAUSED) { if (running == null) running = j; }
            else if (s == JobState.QUEUED) queued++;
        }
        if (running == null) {
            task.setText(queued > 0 ? queued + " queued" : "No task running");
            taskProgress.setVisible(false);
        } else {
            double p = running.getProgress();
            String pct = p >= 0 ? String.format(" %.0f%%", p * 100) : "";
            String eta = running.etaProperty().get();
            task.setText(running.getTitle() + pct + (eta.isEmpty() || eta.equals("?") ? "" : " · ETA " + eta)
                    + (queued > 0 ? " · " + queued + " queued" : ""));
            taskProgress.setVisible(true);
            taskProgress.setProgress(p);
        }
    }

    public void dispose() { refresh.stop(); }
}
