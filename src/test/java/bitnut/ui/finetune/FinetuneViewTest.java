package bitnut.ui.finetune;

import bitnut.common.JobState;
import bitnut.finetune.FinetuneConfig;
import bitnut.finetune.ToyData;
import bitnut.ui.FxJob;
import bitnut.ui.TestWorkbench;
import bitnut.ui.WorkbenchApp;
import javafx.scene.control.ListView;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
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
 * The Finetune tab in the real workbench (Monocle headless): fill the form, press Start, watch the
 * charts fill and the before/after table appear, then chat with the finetuned checkpoint.
 */
class FinetuneViewTest {
    static WorkbenchApp app;
    static Path workspace, inputs;
    static final FxRobot robot = new FxRobot();

    @BeforeAll
    static void start() throws Exception {
        workspace = Files.createTempDirectory("bitnut-ft-ws");
        inputs = Files.createTempDirectory("bitnut-ft-inputs");
        app = TestWorkbench.start(workspace);
    }

    @AfterAll
    static void stop() throws Exception { TestWorkbench.stop(app); }

    @Test
    void startsARunShowsChartsAndTheBeforeAfterTableAndChats() throws Exception {
        Path base = ToyData.writeBaseCheckpoint(inputs.resolve("base"), 3);
        Path data = ToyData.writeJsonl(inputs.resolve("toy.jsonl"), ToyData.examples());
        FinetuneView view = (FinetuneView) app.mainWindow().tabs().stream().filter(t -> t.title().equals("Finetune")).findFirst().orElseThrow();
        FinetuneViewModel vm = view.model();
        robot.interact(() -> {
            app.mainWindow().select("Finetune");
            vm.baseProperty().set(base.toString());
            vm.dataProperty().set(data.toString());
            vm.runNameProperty().set("toy");
            vm.presetProperty().set(FinetuneConfig.Preset.BITNET);
            vm.applyPreset();
            vm.epochsProperty().set(4);
            vm.batchSizeProperty().set(4);
            vm.accumulationProperty().set(1);
            vm.seqLenProperty().set(64);
            vm.lrProperty().set(5e-3);
            vm.warmupProperty().set(5);
            vm.evalEveryProperty().set(10);
        });
        assertEquals("64", robot.lookup("#finetune-view").queryAs(javafx.scene.Parent.class).lookupAll(".text-field").stream()
                .map(n -> ((TextField) n).getText()).filter("64"::equals).findFirst().orElse(""), "the form shows the model's values");
        robot.clickOn("#finetune-start");
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> vm.jobProperty().get() != null);
        FxJob job = vm.jobProperty().get();
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> job.getJobState().finished());
        assertEquals(JobState.SUCCEEDED, job.getJobState(), () -> String.valueOf(job.getException()));
        WaitForAsyncUtils.waitForFxEvents();

        assertTrue(view.charts().points("train_loss") >= 30, "train loss chart: " + view.charts().points("train_loss"));
        assertTrue(view.charts().points("val_loss") >= 2);
        assertTrue(view.charts().points("tokens_per_s") > 0);
        @SuppressWarnings("unchecked")
        TableView<FinetuneViewModel.Comparison> table = robot.lookup("#finetune-comparison").queryAs(TableView.class);
        assertFalse(table.getItems().isEmpty(), "before/after table is filled");
        assertTrue(table.getItems().stream().noneMatch(c -> c.tunedAnswer().isEmpty()));
        assertTrue(vm.voiceSummaryProperty().get().startsWith("Base: eos"), vm.voiceSummaryProperty().get());
        assertTrue(Files.isDirectory(workspace.resolve("finetune").resolve("toy").resolve("checkpoints")));

        // reopening the finished run rebuilds the charts from metrics.jsonl and the table from evals.jsonl
        Path runDir = workspace.resolve("finetune").resolve("toy");
        int rows = table.getItems().size(), trainPoints = new bitnut.finetune.FinetuneRun(runDir).readMetrics().size();
        robot.interact(() -> vm.openRun(runDir));
        assertTrue(vm.runs().contains(runDir), "the run is listed: " + vm.runs());
        assertEquals(trainPoints, view.charts().points("train_loss"), "one point per step, read back from metrics.jsonl");
        assertEquals(rows, table.getItems().size());

        robot.clickOn("#finetune-chat-input").write("what is the moon ?");
        robot.interact(() -> robot.lookup("#finetune-chat-input").queryAs(TextField.class).fireEvent(
                new javafx.event.ActionEvent()));
        @SuppressWarnings("unchecked")
        ListView<String> chat = robot.lookup("#finetune-chat").queryAs(ListView.class);
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> chat.getItems().size() >= 2);
        assertEquals("human: what is the moon ?", chat.getItems().get(0));
        assertTrue(chat.getItems().get(1).startsWith("bitnut: "), chat.getItems().get(1));
    }
}
