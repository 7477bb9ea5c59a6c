package bitnut.ui.dataset;

import bitnut.dataset.DatasetStore;
import bitnut.dataset.Example;
import bitnut.dataset.ExampleFilter;
import bitnut.dataset.ExampleSource;
import bitnut.dataset.ExampleStatus;
import bitnut.dataset.NewExample;
import bitnut.dataset.WordDiff;
import bitnut.ui.AppServices;
import bitnut.ui.SettingsStore;
import bitnut.workspace.Workspace;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.control.ComboBox;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.text.Text;
import javafx.scene.text.TextFlow;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The Dataset tab in a real JavaFX stage (Monocle headless) over a real SQLite file: filter by topic,
 * full-text search with highlighted hits, edit + save with the diff, undo, approve, bulk reject on a
 * selection and on the filter (and its undo), lazy loading at the far end of a 3,000-row table.
 */
class DatasetViewTest {
    static final FxRobot robot = new FxRobot();
    static final int ROWS = 3000;
    static AppServices services;
    static DatasetView view;
    static Workspace workspace;

    @BeforeAll static void start() throws Exception {
        workspace = Workspace.create(Files.createTempDirectory("bitnut-dataset-ui"));
        try (DatasetStore s = DatasetStore.open(workspace)) {
            List<NewExample> xs = new ArrayList<>();
            String[] topics = {"cooking", "history", "space"};
            for (int i = 0; i < ROWS; i++) {
                String topic = topics[i % 3];
                String prompt = topic.equals("space") && i % 30 == 2 ? "What is quasar number " + i + "?" : "Question " + i + " about " + topic + "?";
                xs.add(new NewExample(topic, prompt, "Woof! Answer " + i + " with a squirrel in it.", ExampleSource.IMPORTED, Map.of()));
            }
            s.addExamples(xs).join();
        }
        FxToolkit.registerPrimaryStage();
        FxToolkit.setupFixture(() -> {
            services = new AppServices(workspace, new SettingsStore(workspace.root().resolve("config")));
            view = new DatasetView(new DatasetViewModel(services));
        });
        FxToolkit.setupStage(stage -> {
            stage.setScene(new Scene((Parent) view.content(), 1200, 760));
            stage.show();
        });
    }

    @AfterAll static void stop() throws Exception {
        FxToolkit.setupFixture(() -> { view.dispose(); services.close(); });
        FxToolkit.cleanupStages();
    }

    @SuppressWarnings("unchecked")
    static TableView<DatasetViewModel.Row> table() { return robot.lookup("#dataset-table").queryAs(TableView.class); }

    static void waitRows(int n) throws Exception {
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> table().getItems().size() == n);
        WaitForAsyncUtils.waitForFxEvents();
    }

    static Example stored(long id) {
        try (DatasetStore s = DatasetStore.open(workspace)) { return s.get(id).orElseThrow(); } catch (Exception e) { throw new RuntimeException(e); }
    }

    static Example firstRow() throws Exception {
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> table().getItems().getFirst().exampleProperty().get() != null);
        return table().getItems().getFirst().exampleProperty().get();
    }

    @Test void filterSearchEditUndoApproveAndBulkReject() throws Exception {
        DatasetViewModel m = view.model();
        waitRows(ROWS);

        // filter: topic
        robot.interact(() -> robot.lookup("#dataset-topic").queryAs(ComboBox.class).getSelectionModel().select("space"));
        waitRows(ROWS / 3);

        // full-text search, with hits highlighted in the table
        robot.clickOn("#dataset-search").write("quasar");
        waitRows(ROWS / 30);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> !robot.lookup(n -> n instanceof Text t && t.getStyleClass().contains("search-hit")).queryAll().isEmpty());
        Text hit = (Text) robot.lookup(n -> n instanceof Text t && t.getStyleClass().contains("search-hit")).queryAll().iterator().next();
        assertEquals("quasar", hit.getText().toLowerCase());

        // select, edit, save: the diff shows the insertion, the store has the new version
        Example before = firstRow();
        robot.interact(() -> table().getSelectionModel().select(0));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> m.selectedProperty().get() != null && m.selectedProperty().get().id() == before.id());
        TextArea response = robot.lookup("#dataset-response").queryAs(TextArea.class);
        assertEquals(before.response(), response.getText());
        robot.clickOn("#dataset-response").press(javafx.scene.input.KeyCode.END).release(javafx.scene.input.KeyCode.END).write(" Sniff!");
        assertTrue(m.responseDiff().stream().anyMatch(p -> p.kind() == WordDiff.Kind.INSERTED && p.text().contains("Sniff!")), m.responseDiff().toString());
        robot.clickOn("#dataset-save");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> stored(before.id()).version() == before.version() + 1);
        assertTrue(stored(before.id()).response().endsWith("Sniff!"));

        // undo brings the text back (as a new version: history stays append-only)
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> m.canUndoProperty().get());
        robot.clickOn("#dataset-undo");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> stored(before.id()).response().equals(before.response()));
        assertEquals(before.version() + 2, stored(before.id()).version());
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> m.history().size() == 3);

        // approve the selected example
        robot.clickOn("#dataset-approve");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> stored(before.id()).status() == ExampleStatus.APPROVED);

        // bulk reject on a selection of three rows (the search is cleared: all space rows)
        robot.interact(() -> robot.lookup("#dataset-search").queryAs(javafx.scene.control.TextField.class).clear());
        waitRows(ROWS / 3);
        firstRow();
        robot.interact(() -> { table().getSelectionModel().clearSelection(); table().getSelectionModel().selectIndices(1, 2, 3); });
        List<Long> chosen = new ArrayList<>();
        for (int i = 1; i <= 3; i++) chosen.add(table().getItems().get(i).exampleProperty().get().id());
        robot.clickOn("#dataset-bulk-reject-selected");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> chosen.stream().allMatch(id -> stored(id).status() == ExampleStatus.REJECTED));

        // bulk reject everything the filter matches, then undo it
        robot.clickOn("#dataset-bulk-reject-filter");
        try (DatasetStore s = DatasetStore.open(workspace)) {
            WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> s.count(ExampleFilter.ALL.withTopic("space").withStatus(ExampleStatus.REJECTED)) == ROWS / 3);
            assertEquals(0, s.count(ExampleFilter.ALL.withTopic("cooking").withStatus(ExampleStatus.REJECTED)), "other topics untouched");
            robot.clickOn("#dataset-undo");
            WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> s.count(ExampleFilter.ALL.withTopic("space").withStatus(ExampleStatus.REJECTED)) == 3);
            assertEquals(ExampleStatus.APPROVED, s.get(before.id()).orElseThrow().status(), "undo restores each row's own status");
        }

        // the status chart counts the filtered rows
        DatasetCharts charts = view.chartsForTest();
        assertFalse(charts.built(), "the charts are built when their tab is first opened, not with the Dataset tab");
        robot.interact(() -> robot.lookup("#dataset-detail-tabs").queryAs(javafx.scene.control.TabPane.class).getSelectionModel().select(2));
        assertTrue(charts.built());
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> charts.statusTotal() == ROWS / 3);

        // lazy loading: the last row of all 3,000 loads when scrolled into view
        robot.interact(() -> robot.lookup("#dataset-topic").queryAs(ComboBox.class).getSelectionModel().select(0));
        waitRows(ROWS);
        robot.interact(() -> table().scrollTo(ROWS - 1));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> table().getItems().get(ROWS - 1).exampleProperty().get() != null);
        assertNull(table().getItems().get(ROWS / 2).exampleProperty().get(), "rows never shown are never loaded");
        assertTrue(robot.lookup("#dataset-diff").queryAs(TextFlow.class) != null);

        // a filter change arrives with the rows the table shows already loaded: the top, and (the user was at
        // the far end) the last page of the new selection: one pulse, no second page query before they show
        List<Boolean> loadedOnArrival = new ArrayList<>();
        javafx.collections.ListChangeListener<DatasetViewModel.Row> probe = c -> {
            var items = c.getList();
            if (items.size() == ROWS / 3) {
                loadedOnArrival.add(items.getFirst().exampleProperty().get() != null && items.getLast().exampleProperty().get() != null);
            }
        };
        robot.interact(() -> m.rows().addListener(probe));
        robot.interact(() -> robot.lookup("#dataset-topic").queryAs(ComboBox.class).getSelectionModel().select("history"));
        waitRows(ROWS / 3);
        robot.interact(() -> m.rows().removeListener(probe));
        assertEquals(List.of(true), loadedOnArrival);
    }

    /**
     * Opening the tab: the store is opened and read only off the FX thread (a check installed in the store records
     * any open or read made on it), and the rows arrive, with their first page loaded, before the charts' counts.
     */
    @Test void opensWithNoStoreCallOnTheFxThreadAndShowsTheRowsBeforeTheChartsCounts() throws Exception {
        List<String> onFxThread = java.util.Collections.synchronizedList(new ArrayList<>());
        List<String> order = java.util.Collections.synchronizedList(new ArrayList<>());
        DatasetViewModel[] vm = new DatasetViewModel[1];
        DatasetStore.checkAccessWith(what -> { if (javafx.application.Platform.isFxApplicationThread()) onFxThread.add(what); });
        try {
            robot.interact(() -> {
                vm[0] = new DatasetViewModel(services);
                vm[0].rows().addListener((javafx.collections.ListChangeListener<DatasetViewModel.Row>) c -> {
                    var items = c.getList();
                    order.add("rows " + items.size() + (items.getFirst().exampleProperty().get() != null ? " with the first page" : ""));
                });
                vm[0].statsProperty().addListener((o, a, st) -> order.add("charts' counts " + st.total()));
            });
            WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> vm[0].statsProperty().get() != null);
            WaitForAsyncUtils.waitForFxEvents();
            assertEquals(List.of("rows " + ROWS + " with the first page", "charts' counts " + ROWS), order);
            assertEquals(List.of(), onFxThread, "store calls made on the FX thread while the tab opened");
            List<String> steps = vm[0].openTimeline().stream().map(st -> st.name() + " on " + st.thread()).toList();
            assertTrue(steps.contains("store open on dataset-ui-reader"), steps.toString());
            assertTrue(steps.indexOf("rows applied on JavaFX Application Thread") < steps.indexOf("charts' counts on dataset-ui-charts"), steps.toString());
        } finally {
            DatasetStore.checkAccessWith(null);
            if (vm[0] != null) robot.interact(() -> vm[0].dispose());
        }
    }

    /** A last word of one letter is not searched (it would match nearly everything); the tab says so. */
    @Test void aOneLetterWordIsNotSearchedUntilASecondLetterIsTyped() throws Exception {
        assertEquals("squirrel", DatasetViewModel.liveSearch("squirrel a"));
        assertEquals("", DatasetViewModel.liveSearch("c"));
        assertEquals("squirrel co", DatasetViewModel.liveSearch("squirrel co"));
        DatasetViewModel m = view.model();
        javafx.scene.control.Label hint = robot.lookup("#dataset-search-hint").queryAs(javafx.scene.control.Label.class);
        robot.interact(() -> { m.topicProperty().set(null); m.statusProperty().set(null); m.searchProperty().set("c"); m.refresh(); });
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> !m.busyProperty().get());
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(ROWS, m.rowCountProperty().get(), "one letter: no search");
        assertTrue(hint.getText().contains("2+ letters"), hint.getText());
        robot.interact(() -> { m.searchProperty().set("co"); m.refresh(); });
        waitRows(ROWS / 3);   // co* = "cooking" (the cooking prompts)
        assertEquals("", hint.getText());
        robot.interact(() -> { m.searchProperty().set(""); m.refresh(); });
        waitRows(ROWS);
    }
}
