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
import org.testfx.api.FxToolkit;
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
        System.setProperty("bitnut.workspace", workspace.toString());
        System.setProperty("bitnut.config.dir", Files.createTempDirectory("bitnut-ui-config").toString());
        FxToolkit.registerPrimaryStage();
        app = (WorkbenchApp) FxToolkit.setupApplication(WorkbenchApp::new);
    }

    @AfterAll
    static void stop() throws Exception {
        FxToolkit.cleanupApplication(app);
        FxToolkit.cleanupStages();
    }

    @Test
    void theWindowShowsTabsAndTheStatusBarShowsTheDjlDevice() throws Exception {
        TabPane tabs = robot.lookup("#main-tabs").queryAs(TabPane.class);
        assertTrue(tabs.getTabs().stream().anyMatch(t -> t.getText().equals("Tasks")));
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
