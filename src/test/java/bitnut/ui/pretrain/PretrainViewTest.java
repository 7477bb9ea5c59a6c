package bitnut.ui.pretrain;

import bitnut.common.JobState;
import bitnut.common.DirectJobContext;
import bitnut.corpus.CorpusBuildConfig;
import bitnut.corpus.ShardBuilder;
import bitnut.corpus.TestCorporaAccess;
import bitnut.pretrain.PretrainJob;
import bitnut.train.Checkpoints;
import bitnut.ui.FxJob;
import bitnut.ui.TestWorkbench;
import bitnut.ui.WorkbenchApp;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
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
 * The Pretrain tab in the real workbench (Monocle headless): a micro model on shards the test writes
 * (a generated bigram corpus), started from the form; the charts fill, a checkpoint is listed, Pause
 * and Stop-and-save work, the run re-opens from metrics.jsonl and a checkpoint goes to the Sample tab.
 */
class PretrainViewTest {
    static WorkbenchApp app;
    static Path workspace, inputs;
    static final FxRobot robot = new FxRobot();

    @BeforeAll
    static void start() throws Exception {
        workspace = Files.createTempDirectory("bitnut-pt-ws");
        inputs = Files.createTempDirectory("bitnut-pt-inputs");
        app = TestWorkbench.start(workspace);
    }

    @AfterAll
    static void stop() throws Exception { TestWorkbench.stop(app); }

    /** Fires a button (the form scrolls, so on the small headless screen it may be out of view for a click). */
    static void press(String id) {
        javafx.scene.control.Button b = robot.lookup(id).queryAs(javafx.scene.control.Button.class);
        assertFalse(b.isDisabled(), id + " is enabled");
        robot.interact(b::fire);
    }

    @Test
    void startsAMicroRunChartsItPausesStopsWithACheckpointAndHandsItToSample() throws Exception {
        // generated text -> the corpus tests' byte-level BPE tokenizer -> real shards (index.json names the tokenizer)
        Path tok = TestCorporaAccess.writeTokenizer(inputs.resolve("tok"));
        Files.createDirectories(inputs.resolve("text"));
        TestCorporaAccess.writeJsonl(inputs.resolve("text").resolve("docs.jsonl"), 400);
        Path shards = inputs.resolve("shards");
        new ShardBuilder(CorpusBuildConfig.of(java.util.List.of(inputs.resolve("text").toString()), tok, shards)
                .withShardTokens(20_000).withValFraction(0.1).withThreads(1)).run(new DirectJobContext());
        int tokenizerVocab;
        try (var t = bitnut.tokenizer.WorkspaceTokenizer.load(tok)) { tokenizerVocab = t.vocabSize(); }
        PretrainView view = (PretrainView) app.mainWindow().tabs().stream().filter(t -> t.title().equals("Pretrain")).findFirst().orElseThrow();
        PretrainViewModel vm = view.model();
        Label params = robot.lookup("#pretrain-params").queryAs(Label.class);
        String tinyCount = params.getText();
        robot.interact(() -> {
            app.mainWindow().select("Pretrain");
            vm.shardsProperty().set(shards.toString());
            vm.runNameProperty().set("micro");
            vm.hiddenProperty().set(64);
            vm.layersProperty().set(2);
            vm.headsProperty().set(4);
            vm.kvHeadsProperty().set(2);
            vm.intermediateProperty().set(192);
            vm.scheduleProperty().set("cosine");
            vm.lrProperty().set(4e-3);
            vm.microBatchProperty().set(8);
            vm.seqLenProperty().set(32);
            vm.accumulationProperty().set(1);
            vm.stepsProperty().set(5000);   // far more than the test lets it run: Stop ends it
            vm.warmupProperty().set(10);
            vm.logEveryProperty().set(5);
            vm.evalEveryProperty().set(20);
            vm.sampleEveryProperty().set(20);
            vm.checkpointEveryProperty().set(20);
        });
        assertEquals(tokenizerVocab, vm.vocabProperty().get(), "the shards' tokenizer sets the vocabulary");
        long expected = vm.modelConfig().parameterCount();
        assertNotEquals(tinyCount, params.getText(), "the parameter count follows the overrides");
        assertTrue(params.getText().startsWith(String.format(java.util.Locale.ROOT, "%,d parameters", expected)), params.getText());

        assertTrue(vm.budgetTextProperty().get().startsWith("256 tokens/step × 5,000 steps = 1,280,000 tokens"),
                vm.budgetTextProperty().get());
        robot.interact(() -> vm.tokenBudgetProperty().set("2,560"));
        assertTrue(vm.budgetTextProperty().get().startsWith("256 tokens/step × 10 steps"), vm.budgetTextProperty().get());
        robot.interact(() -> vm.tokenBudgetProperty().set(""));

        // a model the form cannot build: a readable reason, and Start refuses without creating a run
        robot.interact(() -> vm.headsProperty().set(3));
        assertTrue(params.getText().startsWith("invalid: ") && params.getText().contains("hidden_size 64 must be divisible by num_attention_heads 3"),
                params.getText());
        press("#pretrain-start");
        assertNull(vm.jobProperty().get());
        assertTrue(vm.statusProperty().get().contains("divisible"), vm.statusProperty().get());
        assertFalse(Files.exists(workspace.resolve("pretrain").resolve("micro")));
        robot.interact(() -> vm.headsProperty().set(4));

        press("#pretrain-start");
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> vm.jobProperty().get() != null);
        FxJob job = vm.jobProperty().get();
        ListView<?> checkpoints = robot.lookup("#pretrain-checkpoints").queryAs(ListView.class);
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !checkpoints.getItems().isEmpty() || job.getJobState().finished());
        assertEquals(JobState.RUNNING, job.getJobState(), () -> String.valueOf(job.getException()));
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(view.charts().points("train_loss") >= 4, "train loss points: " + view.charts().points("train_loss"));
        assertTrue(view.charts().points("val_loss") >= 1);
        assertTrue(view.charts().points("lr") >= 4 && view.charts().points("grad_norm") >= 4 && view.charts().points("tokens_per_s") >= 4);
        assertFalse(vm.samples().isEmpty(), "a text sample is listed");
        assertFalse(vm.samples().getFirst().contains(": ["), "samples are decoded text: " + vm.samples().getFirst());
        Path run = workspace.resolve("pretrain").resolve("micro");
        assertEquals(tokenizerVocab, bitnut.pretrain.PretrainRun.read(run).modelConfig().vocabSize(),
                "the vocabulary follows the shards' tokenizer");
        assertTrue(vm.progressTextProperty().get().contains("tokens seen"), vm.progressTextProperty().get());

        press("#pretrain-pause");
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> job.getJobState() == JobState.PAUSED);
        press("#pretrain-pause");
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> job.getJobState() == JobState.RUNNING);

        press("#pretrain-stop");
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> job.getJobState().finished());
        assertEquals(JobState.CANCELLED, job.getJobState());
        WaitForAsyncUtils.waitForFxEvents();
        long savedStep = new Checkpoints(run).latest().orElseThrow().step();
        assertTrue(savedStep >= 20, "stop saved step " + savedStep);
        assertEquals(run.resolve("checkpoints").resolve(Checkpoints.name(savedStep)), checkpoints.getItems().getFirst(),
                "the stop checkpoint is listed first");

        // Resume continues the stopped run from its checkpoint: the curve goes on past the saved step
        assertEquals(run, vm.runDirProperty().get());
        press("#pretrain-resume");
        FxJob resumed = vm.jobProperty().get();
        assertNotSame(job, resumed);
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> resumed.getJobState().finished()
                || PretrainJob.readMetrics(run).stream().anyMatch(m -> ((Number) m.get("step")).longValue() > savedStep + 5));
        press("#pretrain-stop");
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> resumed.getJobState().finished());
        assertEquals(JobState.CANCELLED, resumed.getJobState(), () -> String.valueOf(resumed.getException()));
        assertTrue(resumed.log().stream().anyMatch(l -> l.startsWith("resumed from " + Checkpoints.name(savedStep))), resumed.log().toString());
        WaitForAsyncUtils.waitForFxEvents();

        // re-opening the run rebuilds the charts from metrics.jsonl; EMA smoothing keeps one point per record
        long rows = PretrainJob.readMetrics(run).stream().filter(m -> m.containsKey("train_loss")).count();
        robot.interact(() -> vm.openRun(run));
        assertEquals(rows, view.charts().points("train_loss"));
        robot.interact(() -> vm.smoothProperty().set(true));
        assertEquals(rows, view.charts().points("train_loss"));
        robot.interact(() -> robot.lookup("#pretrain-logx").queryAs(javafx.scene.control.CheckBox.class).setSelected(true));
        WaitForAsyncUtils.waitForFxEvents();
        robot.interact(() -> vm.overlay(run));
        assertEquals(rows, view.charts().points(PretrainViewModel.OVERLAY + "train_loss"));

        robot.interact(() -> checkpoints.getSelectionModel().select(0));
        press("#pretrain-sample-checkpoint");
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("Sample", app.mainWindow().tabPane().getSelectionModel().getSelectedItem().getText());
        var sample = (bitnut.ui.sample.SampleView) app.mainWindow().tabs().stream().filter(t -> t.title().equals("Sample")).findFirst().orElseThrow();
        assertEquals(checkpoints.getItems().getFirst(), sample.model().checkpointProperty().get());
    }
}
