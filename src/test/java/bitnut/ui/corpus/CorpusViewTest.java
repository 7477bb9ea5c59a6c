package bitnut.ui.corpus;

import bitnut.common.JobState;
import bitnut.corpus.TestCorporaAccess;
import bitnut.ui.TabStage;
import bitnut.ui.FxJob;
import bitnut.workspace.Workspace;
import javafx.scene.chart.BarChart;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
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
 * The Corpus tab in a real JavaFX stage (Monocle headless): add a source, page through the preview,
 * build shards with the workspace tokenizer through the job executor, see progress and the stats.
 */
class CorpusViewTest {
    static final FxRobot robot = new FxRobot();
    static TabStage<CorpusView> tab;
    static CorpusView view;
    static Path corpus;
    static Path bigCorpus;

    @BeforeAll static void start() throws Exception {
        Path ws = Files.createTempDirectory("bitnut-corpus-ui");
        Workspace workspace = Workspace.create(ws);
        TestCorporaAccess.writeTokenizer(workspace.tokenizerDir().resolve("tiny"));
        corpus = TestCorporaAccess.writeJsonl(ws.resolve("input/docs.jsonl"), 120);
        bigCorpus = TestCorporaAccess.writeJsonl(ws.resolve("big/docs.jsonl"), 6000);
        tab = TabStage.show(workspace, s -> new CorpusView(new CorpusViewModel(s)), 1000, 700);
        view = tab.view();
    }

    @AfterAll static void stop() throws Exception { tab.close(); }

    @Test void addPreviewAndBuildShards() throws Exception {
        CorpusViewModel m = view.model();
        assertTrue(m.tokenizerProperty().get().endsWith("tiny"), "the workspace tokenizer is found: " + m.tokenizerProperty().get());
        Path out = Files.createTempDirectory("bitnut-corpus-ui-out");
        robot.interact(() -> {        // the tests share one view: start from no sources and an empty folder
            m.sources().clear();
            m.outDirProperty().set(out.toString());
        });

        robot.clickOn("#corpus-source-text").write(corpus.toString());
        robot.clickOn("#corpus-add");
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(1, m.sources().size());

        robot.clickOn("#corpus-preview-load");
        @SuppressWarnings("unchecked")
        TableView<CorpusViewModel.PreviewRow> table = robot.lookup("#corpus-preview").queryAs(TableView.class);
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> table.getItems().size() == CorpusViewModel.PAGE_SIZE);
        assertEquals(0, table.getItems().getFirst().index());
        robot.clickOn("#corpus-preview-next");
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> !table.getItems().isEmpty() && table.getItems().getFirst().index() == 50);
        robot.clickOn("#corpus-preview-next");
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> table.getItems().size() == 20);
        Label status = robot.lookup("#corpus-preview-status").queryAs(Label.class);
        assertTrue(status.getText().contains("101-120") && status.getText().contains("last page"), status.getText());

        robot.interact(() -> {
            robot.lookup("#corpus-shard-tokens").queryAs(TextField.class).setText("2000");
            robot.lookup("#corpus-val-fraction").queryAs(TextField.class).setText("0.1");
        });
        robot.clickOn("#corpus-build");
        WaitForAsyncUtils.waitForFxEvents();
        FxJob job = m.buildJobProperty().get();
        assertNotNull(job, "build started: " + m.errorProperty().get());
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> job.getJobState().finished());
        assertEquals(JobState.SUCCEEDED, job.getJobState(), job.errorProperty().get());
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> m.indexProperty().get() != null);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(120, m.indexProperty().get().documents());
        assertEquals(1.0, robot.lookup("#corpus-progress").queryAs(ProgressBar.class).getProgress(), 1e-9);
        String stats = robot.lookup("#corpus-stats").queryAs(TextArea.class).getText();
        assertTrue(stats.contains("120 (0 empty skipped)") && stats.contains("all headers check out"), stats);
        BarChart<?, ?> hist = robot.lookup("#corpus-histogram").queryAs(BarChart.class);
        assertFalse(hist.getData().getFirst().getData().isEmpty(), "the length histogram is drawn");
        assertFalse(robot.lookup("#corpus-build").queryButton().isDisabled(), "Build is enabled again");
    }

    @Test void cancelKeepsFinishedShardsAndBuildResumes() throws Exception {
        CorpusViewModel m = view.model();
        Path out = Files.createTempDirectory("bitnut-corpus-ui-out");
        robot.interact(() -> {
            m.sources().setAll(bigCorpus.toString());
            m.outDirProperty().set(out.toString());
            m.shardTokensProperty().set("5000");
            m.valFractionProperty().set("0.05");
        });
        robot.clickOn("#corpus-build");
        WaitForAsyncUtils.waitForFxEvents();
        FxJob first = m.buildJobProperty().get();
        assertNotNull(first, m.errorProperty().get());
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> bitnut.corpus.CorpusIndex.shardFiles(out, "train").size() >= 2
                || first.getJobState().finished());
        assertFalse(first.getJobState().finished(), "the build was still running when Cancel was pressed");
        robot.clickOn("#corpus-cancel");
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> first.getJobState().finished());
        assertEquals(JobState.CANCELLED, first.getJobState());
        int kept = bitnut.corpus.CorpusIndex.shardFiles(out, "train").size();
        assertTrue(kept >= 2, "committed shards stay after cancel");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> m.statsTextProperty().get().contains("press Build to resume"));

        robot.clickOn("#corpus-build");
        WaitForAsyncUtils.waitForFxEvents();
        FxJob second = m.buildJobProperty().get();
        assertNotSame(first, second);
        WaitForAsyncUtils.waitFor(90, TimeUnit.SECONDS, () -> second.getJobState().finished());
        assertEquals(JobState.SUCCEEDED, second.getJobState(), second.errorProperty().get());
        assertTrue(second.log().stream().anyMatch(l -> l.startsWith("resuming: " + kept + " train")), second.log().toString());
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> m.indexProperty().get() != null
                && m.indexProperty().get().documents() == 6000);
    }
}
