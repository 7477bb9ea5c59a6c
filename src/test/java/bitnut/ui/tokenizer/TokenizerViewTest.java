package bitnut.ui.tokenizer;

import bitnut.common.JobState;
import bitnut.ui.TabStage;
import bitnut.ui.FxJob;
import bitnut.workspace.Workspace;
import javafx.scene.control.Label;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableView;
import javafx.scene.layout.FlowPane;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The Tokenizer tab on a real stage (Monocle headless) with a real workspace and executor: train
 * through the Train button, see the stats, then playground pieces, the vocab search and the
 * comparison table; and cancel a longer run with the Cancel button.
 */
class TokenizerViewTest {
    @TempDir static Path dir;
    static TabStage<TokenizerView> tab;
    static TokenizerView view;
    static final FxRobot robot = new FxRobot();

    @BeforeAll
    static void start() throws Exception {
        tab = TabStage.show(Workspace.create(dir.resolve("ws")), s -> new TokenizerView(new TokenizerViewModel(s)), 1200, 800);
        view = tab.view();
    }

    @AfterAll
    static void stop() throws Exception { tab.close(); }

    @Test
    void trainThenUseThePlaygroundVocabAndComparison() throws Exception {
        Path corpus = dir.resolve("squirrels.txt");
        StringBuilder sb = new StringBuilder();
        Random r = new Random(5);
        String[] words = {"squirrel", "squirrels", "acorn", "the", "world", "runs", "BitNut", "tree", "park", "secret", "plan"};
        for (int i = 0; i < 4000; i++) sb.append(words[r.nextInt(words.length)]).append(i % 13 == 0 ? ".\n" : " ");
        Files.writeString(corpus, sb);
        TokenizerViewModel m = view.model();
        robot.interact(() -> {
            m.inputsProperty().set(corpus.toString());
            m.vocabSizeProperty().set(320);
            m.nameProperty().set("tiny");
        });
        robot.clickOn("#tokenizer-train");
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> m.jobProperty().get() != null && m.jobProperty().get().getJobState() == JobState.SUCCEEDED);
        Path tiny = tab.services().workspace().tokenizerDir().resolve("tiny");
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> tiny.equals(m.selectedProperty().get()) && m.statsProperty().get().contains("bytes/token"));
        assertTrue(Files.isRegularFile(tiny.resolve("tokenizer.json")));
        assertTrue(robot.lookup("#tokenizer-phase").queryAs(Label.class).getText().startsWith("SUCCEEDED"));

        // playground: typed text -> coloured pieces whose texts join back to the input
        TabPane tools = robot.lookup("#tokenizer-tools").queryAs(TabPane.class);
        robot.interact(() -> tools.getSelectionModel().select(1));
        robot.clickOn("#tokenizer-playground-input").write("the squirrels");
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> !m.pieces().isEmpty()
                && String.join("", m.pieces().stream().map(TokenizerViewModel.Piece::text).toList()).equals("the␣squirrels"));
        FlowPane flow = robot.lookup("#tokenizer-pieces").queryAs(FlowPane.class);
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> flow.getChildren().size() == m.pieces().size());
        assertTrue(m.pieces().size() < "the squirrels".length(), "merges shorten the text: " + m.pieces());

        // vocab browser: a search narrows the table
        robot.interact(() -> tools.getSelectionModel().select(2));
        int all = m.vocab().size();
        assertTrue(all > 5 + 256, "vocab rows " + all);
        robot.interact(() -> m.vocabFilterProperty().set("squirrel"));
        TableView<?> vocab = robot.lookup("#tokenizer-vocab").queryAs(TableView.class);
        assertTrue(vocab.getItems().size() >= 1 && vocab.getItems().size() < all);
        assertTrue(m.vocab().stream().allMatch(e -> e.piece().contains("squirrel")));
        assertTrue(m.vocab().stream().anyMatch(e -> e.rank() >= 0));

        // comparison: every tokenizer of the list encodes the sample text
        robot.interact(() -> tools.getSelectionModel().select(0));
        robot.clickOn("#tokenizer-compare");
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> m.comparison().size() == m.tokenizers().size());
        TokenizerViewModel.Comparison row = m.comparison().get(0);
        assertEquals("tiny", row.name());
        assertTrue(row.tokens() > 0 && row.bytesPerToken() > 1.0, row.toString());
    }

    @Test
    void cancelStopsATrainingRun() throws Exception {
        Path big = dir.resolve("random.txt");
        Random r = new Random(9);
        try (BufferedWriter w = Files.newBufferedWriter(big)) {
            for (int i = 0; i < 1_500_000; i++) {
                int n = 2 + r.nextInt(9);
                for (int k = 0; k < n; k++) w.write('a' + r.nextInt(26));
                w.write(i % 20 == 0 ? '\n' : ' ');
            }
        }
        TokenizerViewModel m = view.model();
        robot.interact(() -> {
            m.inputsProperty().set(big.toString());
            m.vocabSizeProperty().set(60_000);
            m.nameProperty().set("cancelled");
        });
        FxJob[] job = new FxJob[1];
        robot.interact(() -> job[0] = m.train());
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> job[0].getJobState() == JobState.RUNNING);
        robot.clickOn("#tokenizer-cancel");
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> job[0].getJobState() == JobState.CANCELLED);
        assertFalse(Files.exists(tab.services().workspace().tokenizerDir().resolve("cancelled").resolve("tokenizer.json")));
    }
}
