package bitnut.ui;

import bitnut.common.Job;
import bitnut.common.JobContext;
import bitnut.common.JobState;
import bitnut.common.Lane;
import javafx.scene.control.Label;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableView;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The real workbench, started once for this class under Monocle headless: tabs, Tasks view showing a
 * running job's progress, cancel through the Tasks view's button, and the device in the status bar.
 */
class WorkbenchAppTest {
    static WorkbenchApp app;
    static Path workspace;
    static final FxRobot robot = new FxRobot();

    /** Counts steps until cancelled; reports progress so the Tasks view has something to show. */
    static final class SlowJob implements Job {
        volatile boolean cleanedUp;
        @Override public String kind() { return "test.slow"; }
        @Override public String title() { return "Slow test job"; }
        @Override public Lane lane() { return Lane.DEVICE; }
        @Override public String run(JobContext ctx) throws Exception {
            try {
                for (int i = 0; i < 100_000; i++) {
                    ctx.checkpoint();
                    ctx.progress(i / 100_000.0 + 0.05, "step " + i);
                    ctx.throughput(100, "steps/s");
                    Thread.sleep(10);
                }
                return "finished";
            } finally {
                cleanedUp = true;
            }
        }
    }

    @BeforeAll
    static void start() throws Exception {
        workspace = Files.createTempDirectory("bitnut-ui-ws");
        writeHistoryOfACrashedRun(workspace);
        app = TestWorkbench.start(workspace);
    }

    static final String CRASHED_ID = "20260101-000000-test-ui-resumable-0001";

    /** The history an earlier process left when it died mid-job: record RUNNING, owner gone. */
    static void writeHistoryOfACrashedRun(Path ws) throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        bitnut.common.JobKinds.register("test.ui.resumable", (root, spec) -> new Job() {
            public String kind() { return "test.ui.resumable"; }
            public String title() { return "Resumable test job (resumed)"; }
            public Lane lane() { return Lane.CPU; }
            public String run(JobContext ctx) { ctx.log("resumed at step " + spec.get("step")); return "resumed ok"; }
        });
        bitnut.common.JobHistory h = new bitnut.common.JobHistory(ws.resolve("tasks"));
        long t = System.currentTimeMillis() - 60_000;
        h.save(new bitnut.common.JobRecord(CRASHED_ID, "test.ui.resumable", "Resumable test job", Lane.DEVICE,
                JobState.RUNNING, false, java.util.Map.of("step", 2), t, t, 0, 0.4, "step 2", null, null,
                gone.pid(), 0, null, null));
        try (var log = h.openLog(CRASHED_ID)) { log.write("line before the crash\n"); }
    }

    @AfterAll
    static void stop() throws Exception { TestWorkbench.stop(app); }

    @Test
    void theWindowShowsTabsAndTheStatusBarShowsTheDjlDevice() throws Exception {
        TabPane tabs = robot.lookup("#main-tabs").queryAs(TabPane.class);
        assertTrue(tabs.getTabs().stream().anyMatch(t -> t.getText().equals("Tasks")));
        // stage 5 carries the product brief's name; its id is a CSS-safe form of the title
        assertTrue(tabs.getTabs().stream().anyMatch(t -> t.getText().equals("Prompts / Voice") && "tab-prompts-voice".equals(t.getId())),
                tabs.getTabs().stream().map(t -> t.getText() + "=" + t.getId()).toList().toString());
        assertTrue(app.stage().getTitle().contains(workspace.getFileName().toString()));
        Label device = robot.lookup("#status-device").queryAs(Label.class);
        WaitForAsyncUtils.waitFor(180, TimeUnit.SECONDS, () -> !device.getText().contains("loading"));
        assertTrue(device.getText().startsWith("Device: PyTorch"), device.getText());
        assertTrue(device.getText().contains("cpu()"), device.getText());
    }

    @Test
    void openingAFolderThatIsNotAWorkspaceOrIsNewerShowsAClearErrorAndKeepsTheCurrentOne() throws Exception {
        Path foreign = Files.createTempDirectory("not-a-workspace");
        Files.writeString(foreign.resolve("notes.txt"), "hello");
        Path newer = Files.createTempDirectory("newer-workspace");
        Files.writeString(newer.resolve("workspace.json"), "{\"format\":\"bitnut-workspace\",\"version\":99}");
        for (Path dir : java.util.List.of(foreign, newer)) {
            boolean[] switched = new boolean[1];
            robot.interact(() -> switched[0] = app.switchTo(dir, false));
            assertFalse(switched[0]);
            javafx.scene.control.DialogPane dialog = robot.lookup("#error-dialog").queryAs(javafx.scene.control.DialogPane.class);
            String text = dialog.getContentText();
            assertTrue(dir == foreign ? text.contains("is not a BitNut workspace") : text.contains("newer than this BitNut"), text);
            robot.interact(() -> ((javafx.stage.Stage) dialog.getScene().getWindow()).close());
            assertEquals(workspace.toRealPath(), app.services().workspace().root().toRealPath());
        }
    }

    @Test
    void themeSwitchIsSavedInTheSettings() throws Exception {
        robot.interact(() -> app.setDark(true));
        assertTrue(new SettingsStore(SettingsStore.defaultConfigDir()).get().dark());
        assertTrue(app.stage().getScene().getStylesheets().stream().anyMatch(s -> s.endsWith("workbench-dark.css")));
        robot.interact(() -> app.setDark(false));
        assertFalse(new SettingsStore(SettingsStore.defaultConfigDir()).get().dark());
    }

    @Test
    void theWindowHasTheProjectIcon() {
        assertFalse(app.stage().getIcons().isEmpty(), "bitnut.png is on the classpath");
        assertEquals(256, app.stage().getIcons().getFirst().getWidth());
    }

    @Test
    void aJobOfACrashedRunShowsInterruptedWithItsLogAndResumeContinuesIt() throws Exception {
        FxJob old = app.services().jobs().jobs().stream()
                .filter(j -> j.handle().id().equals(CRASHED_ID)).findFirst().orElseThrow();
        assertEquals(JobState.INTERRUPTED, old.getJobState());
        assertTrue(old.resumableProperty().get());
        @SuppressWarnings("unchecked")
        TableView<FxJob> table = robot.lookup("#tasks-table").queryAs(TableView.class);
        robot.interact(() -> { app.mainWindow().select("Tasks"); table.getSelectionModel().select(old); });
        assertEquals(java.util.List.of("line before the crash"), old.log());
        Label outcome = robot.lookup("#tasks-outcome").queryAs(Label.class);
        assertTrue(outcome.getText().startsWith("Interrupted: the process running it ended"), outcome.getText());
        robot.clickOn("#tasks-resume");
        FxJob next = app.mainWindow().tasksView().model().selectedProperty().get();
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> next.getJobState() == JobState.SUCCEEDED);
        WaitForAsyncUtils.waitForFxEvents();          // the FX thread's refresh has finished: read its properties
        assertEquals("resumed ok", next.getValue());
        assertEquals(CRASHED_ID, next.handle().resumedFrom());
        assertFalse(old.resumableProperty().get(), "an interrupted job is resumed once");
    }

    @Test
    void queuedDeviceJobsShowTheirPositionAndMoveUp() throws Exception {
        SlowJob blocker = new SlowJob();
        SlowJob a = new SlowJob(), b = new SlowJob();
        FxJob[] items = new FxJob[3];
        robot.interact(() -> {
            app.mainWindow().select("Tasks");
            items[0] = app.services().jobs().submit(blocker);
            items[1] = app.services().jobs().submit(a);
            items[2] = app.services().jobs().submit(b);
        });
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> items[0].getJobState() == JobState.RUNNING
                && items[2].queuePositionProperty().get() == 2);
        @SuppressWarnings("unchecked")
        TableView<FxJob> table = robot.lookup("#tasks-table").queryAs(TableView.class);
        robot.interact(() -> table.getSelectionModel().select(items[2]));
        robot.clickOn("#tasks-up");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> items[2].queuePositionProperty().get() == 1);
        assertEquals(java.util.List.of(items[2].handle(), items[1].handle()), app.services().executor().queued(Lane.DEVICE));
        assertEquals("queued #1", bitnut.ui.tasks.TasksViewModel.stateText(items[2]));
        assertEquals("queued #2", bitnut.ui.tasks.TasksViewModel.stateText(items[1]));
        for (FxJob j : items) j.handle().cancel();
        for (FxJob j : items) assertEquals(JobState.CANCELLED, j.handle().await(10, TimeUnit.SECONDS));
    }

    @Test
    void theTasksViewShowsAJobsProgressAndItsCancelButtonCancels() throws Exception {
        SlowJob job = new SlowJob();
        FxJob[] item = new FxJob[1];
        robot.interact(() -> {
            app.mainWindow().select("Tasks");
            item[0] = app.services().jobs().submit(job);
        });
        FxJob j = item[0];
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> j.getProgress() > 0.05 && j.getJobState() == JobState.RUNNING);
        @SuppressWarnings("unchecked")
        TableView<FxJob> table = robot.lookup("#tasks-table").queryAs(TableView.class);
        assertTrue(table.getItems().contains(j));
        Label task = robot.lookup("#status-task").queryAs(Label.class);
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> task.getText().contains("Slow test job"));
        assertTrue(robot.lookup(".progress-bar").tryQuery().isPresent());
        robot.interact(() -> table.getSelectionModel().select(j));
        robot.clickOn("#tasks-cancel");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> j.getJobState() == JobState.CANCELLED);
        assertTrue(job.cleanedUp, "the job's finally block ran");
        assertEquals(JobState.CANCELLED, j.handle().state());
        assertTrue(Files.isRegularFile(workspace.resolve("tasks").resolve(j.handle().id()).resolve("job.json")),
                "the job is recorded in the workspace history");
    }
}
